import Foundation

/// Picks the tokenizer implementation for a model folder from its files, never from the model name:
/// `tokenizer.json`'s `model.type` when the file exists, else the legacy files present.
///
/// One `case` per implemented kind; a kind with no implementation gets
/// ``TokenizerError/unsupportedKind(kind:file:)`` naming it.
public enum TokenizerLoader {
    /// The tokenizer kinds, as `tokenizer.json` names them in `model.type`.
    public enum Kind: String, Sendable {
        case bpe = "BPE"
        case unigram = "Unigram"
    }

    /// Loads the folder's tokenizer.
    public static func load(folder: URL) throws -> any Tokenizer {
        switch try kind(of: folder) {
        case .bpe: return try RobertaTokenizer(folder: folder)
        case .unigram: return try UnigramTokenizer(folder: folder)
        }
    }

    /// The kind of tokenizer in `folder`.
    public static func kind(of folder: URL) throws -> Kind {
        let fm = FileManager.default
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        if fm.fileExists(atPath: tokenizerJSON.path) {
            let json = try TokenizerFolder.readJSON(tokenizerJSON)
            guard let model = json["model"] as? [String: Any] else {
                throw TokenizerError.unreadable(file: tokenizerJSON.path, reason: "no \"model\" object")
            }
            // tokenizers writes "type" on every model; files of tokenizers < 0.9 have none and are BPE.
            let name = model["type"] as? String ?? "BPE"
            guard let kind = Kind(rawValue: name) else {
                throw TokenizerError.unsupportedKind(kind: name, file: tokenizerJSON.path)
            }
            return kind
        }
        if RobertaTokenizer.hasTokenizerFiles(in: folder) { return .bpe }
        for name in ["sentencepiece.bpe.model", "spiece.model", "tokenizer.model"]
        where fm.fileExists(atPath: folder.appendingPathComponent(name).path) {
            throw TokenizerError.unsupportedKind(kind: "SentencePiece model without tokenizer.json",
                                                 file: folder.appendingPathComponent(name).path)
        }
        if fm.fileExists(atPath: folder.appendingPathComponent("vocab.txt").path) {
            throw TokenizerError.unsupportedKind(kind: "WordPiece (vocab.txt)", file: folder.appendingPathComponent("vocab.txt").path)
        }
        throw TokenizerError.noTokenizerFiles(folder: folder.path)
    }

    /// Whether `folder` holds tokenizer files of some kind (loadable or not).
    public static func hasTokenizerFiles(in folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("tokenizer.json").path)
            || RobertaTokenizer.hasTokenizerFiles(in: folder)
    }
}
