import Foundation

/// Errors raised while loading or running a tokenizer. Each case names the file involved.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The folder has neither `tokenizer.json` nor `vocab.json` + `merges.txt` nor `vocab.txt`.
    case noTokenizerFiles(folder: String)
    /// A tokenizer file could not be read or parsed.
    case unreadable(file: String, reason: String)
    /// The file describes a tokenizer this module does not implement (only byte-level BPE is).
    case unsupported(file: String, what: String)
    /// The folder's tokenizer is of a kind this module does not implement (`tokenizer.json` `model.type`,
    /// e.g. `WordLevel`), named in the message.
    case unsupportedKind(kind: String, file: String)
    /// A merge rule names a token that is not in the vocabulary.
    case invalidMerge(file: String, line: Int, merge: String)
    /// The requested truncation cannot be done (the reference raises the same refusals).
    case truncation(String)
    /// This tokenizer cannot do what was asked (e.g. text pairs with a tokenizer that has no pair framing).
    case unsupportedRequest(String)

    public var description: String {
        switch self {
        case .noTokenizerFiles(let folder):
            return "no tokenizer in \(folder): expected tokenizer.json, vocab.json + merges.txt, or vocab.txt"
        case .unreadable(let file, let reason):
            return "cannot read tokenizer file \(file): \(reason)"
        case .unsupported(let file, let what):
            return "unsupported tokenizer in \(file): \(what) (implemented: RoBERTa/GPT-2 byte-level BPE, BERT WordPiece, XLM-R/CamemBERT SentencePiece Unigram)"
        case .unsupportedKind(let kind, let file):
            return "\(file): tokenizer kind \(kind) is not implemented (implemented: byte-level BPE as RoBERTa's, WordPiece as BERT's, SentencePiece Unigram as XLM-RoBERTa's and CamemBERT's)"
        case .truncation(let reason):
            return "cannot truncate: \(reason)"
        case .unsupportedRequest(let what):
            return what
        case .invalidMerge(let file, let line, let merge):
            return "\(file): merge #\(line) \"\(merge)\" produces a token missing from the vocabulary"
        }
    }
}
