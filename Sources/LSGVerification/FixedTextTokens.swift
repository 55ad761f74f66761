import Foundation
import ModelFamilies
import Tokenization

/// The output checks' fixed text through the model's own tokenizer. The checks themselves take token
/// ids (``OutputCheckPlan``), so a folder whose tokenizer this build cannot load still runs every
/// check, on reproducible random ids.
public enum FixedTextTokens {
    /// The ids of `text` without special tokens, or `nil` and why not. The tokenizer kind comes from
    /// the folder's files (``TokenizerLoader``: `tokenizer.json`'s model type), as for `tokenize` and
    /// `fill-mask`; `family` only words the message when there is none.
    public static func ids(folder: URL, family: ModelFamily, text: String) -> (ids: [Int]?, unavailable: String) {
        guard TokenizerLoader.hasTokenizerFiles(in: folder) else {
            return (nil, family.tokenizer == .wordPiece ? "no WordPiece tokenizer files" : "no tokenizer")
        }
        do {
            let tokenizer = try TokenizerLoader.load(folder: folder)
            return (tokenizer.encode(text, addSpecialTokens: false, truncation: false, maxLength: nil).ids, "")
        } catch {
            return (nil, "tokenizer not loaded: \(error)")
        }
    }
}
