import Foundation

/// The `bos` and `mask` token ids the global-embedding init needs (reference §2 step 6), read
/// from the tokenizer files the way `AutoTokenizer` exposes them: the token strings come from
/// tokenizer_config.json / special_tokens_map.json (plain strings or `AddedToken` objects with a
/// `content`), their ids from tokenizer.json (added tokens and model vocabulary), vocab.json,
/// added_tokens.json or tokenizer_config.json `added_tokens_decoder`.
public struct SpecialTokenIDs: Sendable, Equatable {
    /// `tokenizer.bos_token_id`, else `cls_token_id`, else config `bos_token_id`.
    public var bos: Int?
    /// `tokenizer.mask_token_id` (50264 for roberta-base).
    public var mask: Int?
    /// The end-of-sequence id: `eos_token`, else `sep_token` (`[SEP]` for BERT), else config `eos_token_id`.
    public var eos: Int?

    public init(bos: Int?, mask: Int?, eos: Int? = nil) {
        self.bos = bos
        self.mask = mask
        self.eos = eos
    }

    /// Reads the ids from the tokenizer files in `folder`, falling back to `config` for bos.
    public static func read(folder: URL, config: JSONValue) -> SpecialTokenIDs {
        func json(_ name: String) -> JSONValue? {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return try? ModelFolder.readJSON(url)
        }
        let tokenizerConfig = json("tokenizer_config.json")
        let specialMap = json("special_tokens_map.json")
        func tokenString(_ key: String) -> String? {
            for source in [tokenizerConfig, specialMap] {
                guard let value = source?[key] else { continue }
                if let s = value.stringValue { return s }
                if let s = value["content"]?.stringValue { return s }
            }
            return nil
        }

        var vocabulary: [String: Int] = [:]
        func add(_ pairs: [(String, JSONValue)]?) {
            for (token, id) in pairs ?? [] { if let id = id.intValue { vocabulary[token] = id } }
        }
        if let tokenizer = json("tokenizer.json") {
            add(tokenizer["model"]?["vocab"]?.objectValue)
            // Unigram models (XLM-R, CamemBERT) list the vocabulary as [piece, score] pairs: id = index.
            for (id, entry) in (tokenizer["model"]?["vocab"]?.arrayValue ?? []).enumerated() {
                if let piece = entry.arrayValue?.first?.stringValue { vocabulary[piece] = id }
            }
            for token in tokenizer["added_tokens"]?.arrayValue ?? [] {
                if let content = token["content"]?.stringValue, let id = token["id"]?.intValue { vocabulary[content] = id }
            }
        }
        add(json("vocab.json")?.objectValue)
        // WordPiece vocab.txt (BERT): one token per line, id = line number.
        let vocabText = try? String(contentsOf: folder.appendingPathComponent("vocab.txt"), encoding: .utf8)
        if let vocabText {
            for (id, line) in vocabText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
                if !token.isEmpty, vocabulary[token] == nil { vocabulary[token] = id }
            }
        }
        add(json("added_tokens.json")?.objectValue)
        for (id, token) in tokenizerConfig?["added_tokens_decoder"]?.objectValue ?? [] {
            if let content = token["content"]?.stringValue, let id = Int(id) { vocabulary[content] = id }
        }
        // BertTokenizer's defaults when a vocab.txt folder does not name its special tokens.
        let wordPieceDefaults = ["cls_token": "[CLS]", "mask_token": "[MASK]", "sep_token": "[SEP]"]
        func id(_ key: String) -> Int? {
            if let token = tokenString(key) { return vocabulary[token] }
            guard vocabText != nil, let token = wordPieceDefaults[key] else { return nil }
            return vocabulary[token]
        }
        let bos = id("bos_token") ?? id("cls_token") ?? config["bos_token_id"]?.intValue
        let eos = id("eos_token") ?? id("sep_token") ?? config["eos_token_id"]?.intValue
        return SpecialTokenIDs(bos: bos, mask: id("mask_token"), eos: eos)
    }
}
