import Foundation
import ModelFamilies
import Tokenization

/// The output checks' fixed text through the model's own tokenizer, chosen by the family's
/// ``TokenizerKind``. The checks themselves take token ids (``OutputCheckPlan``), so a family whose
/// tokenizer this build lacks still runs every check, on reproducible random ids.
public enum FixedTextTokens {
    /// The ids of `text` without special tokens, or `nil` and why not.
    public static func ids(folder: URL, family: ModelFamily, text: String) -> (ids: [Int]?, unavailable: String) {
        switch family.tokenizer {
        case .byteLevelBPE:
            guard RobertaTokenizer.hasTokenizerFiles(in: folder), let tokenizer = try? RobertaTokenizer(folder: folder) else {
                return (nil, "no tokenizer")
            }
            return (tokenizer.tokenize(text), "")
        case .wordPiece:
            guard let tokenizer = try? WordPieceTokenizer(folder: folder) else { return (nil, "no WordPiece tokenizer files") }
            return (tokenizer.tokenize(text), "")
        case .sentencePiece:
            return (nil, "no SentencePiece tokenizer in this build")
        }
    }
}
