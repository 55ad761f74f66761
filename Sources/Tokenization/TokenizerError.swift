import Foundation

/// Errors raised while loading or running a tokenizer. Each case names the file involved.
public enum TokenizerError: Error, Equatable, CustomStringConvertible {
    /// The folder has neither `tokenizer.json` nor `vocab.json` + `merges.txt`.
    case noTokenizerFiles(folder: String)
    /// A tokenizer file could not be read or parsed.
    case unreadable(file: String, reason: String)
    /// The file uses a component this module does not implement (a normalizer, pre-tokenizer, ...).
    case unsupported(file: String, what: String)
    /// The folder's tokenizer is of a kind this module does not implement (`tokenizer.json` `model.type`,
    /// e.g. `WordLevel`), named in the message.
    case unsupportedKind(kind: String, file: String)
    /// A merge rule names a token that is not in the vocabulary.
    case invalidMerge(file: String, line: Int, merge: String)

    public var description: String {
        switch self {
        case .noTokenizerFiles(let folder):
            return "no tokenizer in \(folder): expected tokenizer.json, or vocab.json + merges.txt"
        case .unreadable(let file, let reason):
            return "cannot read tokenizer file \(file): \(reason)"
        case .unsupported(let file, let what):
            return "unsupported tokenizer in \(file): \(what)"
        case .unsupportedKind(let kind, let file):
            return "\(file): tokenizer kind \(kind) is not implemented (implemented: byte-level BPE as RoBERTa's, SentencePiece Unigram as XLM-RoBERTa's and CamemBERT's)"
        case .invalidMerge(let file, let line, let merge):
            return "\(file): merge #\(line) \"\(merge)\" produces a token missing from the vocabulary"
        }
    }
}
