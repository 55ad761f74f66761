import CheckpointIO
import Foundation

/// The `bos` and `mask` token ids the deterministic global init uses (reference §2 step 6:
/// `tokenizer.bos_token_id`, else `cls_token_id`, else config `bos_token_id`; `tokenizer.mask_token_id`),
/// read from a folder's tokenizer files the way `AutoTokenizer` resolves them.
public struct SpecialTokens: Sendable, Equatable {
    public var bos: Int?
    public var mask: Int?
    /// Where the ids came from, for the report (`tokenizer files of <folder>`, `config.json`).
    public var origin: String

    public init(bos: Int?, mask: Int?, origin: String) {
        self.bos = bos
        self.mask = mask
        self.origin = origin
    }

    /// Token strings come from tokenizer_config.json / special_tokens_map.json (a string or an
    /// `AddedToken` object with `content`); their ids from tokenizer.json (model vocab and added
    /// tokens), vocab.json, added_tokens.json and tokenizer_config.json `added_tokens_decoder`.
    /// Returns `nil` ids for what the files do not define.
    public static func read(folder: URL) -> (bos: Int?, mask: Int?) {
        func json(_ name: String) -> JSONValue? {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return try? ModelFolder.readJSON(url)
        }
        let tokenizerConfig = json("tokenizer_config.json")
        let specialTokensMap = json("special_tokens_map.json")
        func tokenText(_ key: String) -> String? {
            for file in [tokenizerConfig, specialTokensMap] {
                guard let value = file?[key] else { continue }
                if let text = value.stringValue ?? value["content"]?.stringValue { return text }
            }
            return nil
        }
        var ids: [String: Int] = [:]
        func add(_ pairs: [(String, JSONValue)]?) {
            for (token, id) in pairs ?? [] { if let id = id.intValue { ids[token] = id } }
        }
        if let tokenizer = json("tokenizer.json") {
            add(tokenizer["model"]?["vocab"]?.objectValue)
            for token in tokenizer["added_tokens"]?.arrayValue ?? [] {
                if let text = token["content"]?.stringValue, let id = token["id"]?.intValue { ids[text] = id }
            }
        }
        add(json("vocab.json")?.objectValue)
        add(json("added_tokens.json")?.objectValue)
        for (id, token) in tokenizerConfig?["added_tokens_decoder"]?.objectValue ?? [] {
            if let text = token["content"]?.stringValue, let id = Int(id) { ids[text] = id }
        }
        func id(_ key: String) -> Int? { tokenText(key).flatMap { ids[$0] } }
        return (id("bos_token") ?? id("cls_token"), id("mask_token"))
    }

    /// The ids for a conversion: the converted folder's tokenizer files (copied from the source),
    /// then the original's, then config.json `bos_token_id` (bos only; there is no config mask id).
    public static func resolve(converted: URL, original: URL?, config: JSONValue) -> SpecialTokens {
        var bos: Int?, mask: Int?
        var origins: [String] = []
        for folder in [converted] + (original.map { [$0] } ?? []) {
            let found = read(folder: folder)
            if bos == nil, let id = found.bos { bos = id; origins.append("bos from \(folder.lastPathComponent) tokenizer") }
            if mask == nil, let id = found.mask { mask = id; origins.append("mask from \(folder.lastPathComponent) tokenizer") }
        }
        if bos == nil, let id = config["bos_token_id"]?.intValue { bos = id; origins.append("bos from config.json") }
        return SpecialTokens(bos: bos, mask: mask, origin: origins.joined(separator: ", "))
    }
}
