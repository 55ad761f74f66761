import Foundation

/// Picks the tokenizer of a model folder from its files: `tokenizer.json`'s `model.type`
/// (`WordPiece` -> `WordPieceTokenizer`, `BPE` -> `RobertaTokenizer`, `Unigram` -> `UnigramTokenizer`),
/// never the model name; else the slow files
/// (`vocab.txt` -> WordPiece, `vocab.json` + `merges.txt` -> byte-level BPE).
public enum TokenizerLoader {
    /// Loads the folder's tokenizer.
    public static func load(folder: URL) throws -> any TextTokenizer {
        let json = folder.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json.path) {
            switch modelType(of: json) {
            case "WordPiece": return try WordPieceTokenizer(folder: folder)
            case "BPE": return try RobertaTokenizer(folder: folder)
            case "Unigram": return try UnigramTokenizer(folder: folder)
            case let other:
                throw TokenizerError.unsupportedKind(kind: other ?? "(no model.type)", file: json.path)
            }
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: folder.appendingPathComponent("vocab.json").path)
            && fm.fileExists(atPath: folder.appendingPathComponent("merges.txt").path) {
            return try RobertaTokenizer(folder: folder)
        }
        if fm.fileExists(atPath: folder.appendingPathComponent("vocab.txt").path) {
            return try WordPieceTokenizer(folder: folder)
        }
        for name in ["sentencepiece.bpe.model", "spiece.model", "tokenizer.model"]
        where fm.fileExists(atPath: folder.appendingPathComponent(name).path) {
            // The slow SentencePiece files need transformers' converter; the fast tokenizer.json is what we read.
            throw TokenizerError.unsupportedKind(kind: "SentencePiece model without tokenizer.json",
                                                 file: folder.appendingPathComponent(name).path)
        }
        throw TokenizerError.noTokenizerFiles(folder: folder.path)
    }

    /// Whether `folder` holds tokenizer files `load` can try.
    public static func hasTokenizerFiles(in folder: URL) -> Bool {
        let fm = FileManager.default
        func has(_ name: String) -> Bool { fm.fileExists(atPath: folder.appendingPathComponent(name).path) }
        return has("tokenizer.json") || (has("vocab.json") && has("merges.txt")) || has("vocab.txt")
    }

    /// `model.type` of a `tokenizer.json` (nil when unreadable: the tokenizer's own loader reports why).
    static func modelType(of tokenizerJSON: URL) -> String? {
        guard let json = try? TokenizerFolder.readJSON(tokenizerJSON) else { return nil }
        return (json["model"] as? [String: Any])?["type"] as? String
    }
}
