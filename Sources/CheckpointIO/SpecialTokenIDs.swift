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

        // BertTokenizer's defaults when a vocab.txt folder does not name its special tokens.
        let wordPieceDefaults = ["cls_token": "[CLS]", "mask_token": "[MASK]", "sep_token": "[SEP]"]
        let vocabTextURL = folder.appendingPathComponent("vocab.txt")
        let hasVocabText = FileManager.default.fileExists(atPath: vocabTextURL.path)
        let keys = ["bos_token", "cls_token", "eos_token", "sep_token", "mask_token"]
        var wanted = Set(keys.compactMap(tokenString))
        if hasVocabText { wanted.formUnion(wordPieceDefaults.values) }

        // Only the wanted tokens' ids are looked up (``JSONKeyScanner``): the vocabularies hold
        // 30k-250k entries. Later sources override earlier ones, as in the tokenizer classes.
        var vocabulary: [String: Int] = [:]
        func scan<T>(_ name: String, _ body: (UnsafeRawBufferPointer) -> T?) -> T? {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path), let file = try? MappedFile(path: url.path) else { return nil }
            return body(file.bytes)
        }
        if !wanted.isEmpty {
            if let tokenizer = scan("tokenizer.json", { JSONKeyScanner.tokenizer(for: wanted, in: $0) }) {
                vocabulary.merge(tokenizer.vocabulary) { $1 }
                for (content, id) in tokenizer.addedTokens { vocabulary[content] = id }
            }
            if let ids = scan("vocab.json", { JSONKeyScanner.integers(for: wanted, inObject: $0) }) {
                vocabulary.merge(ids) { $1 }
            }
            // WordPiece vocab.txt (BERT): one token per line, id = line number.
            if hasVocabText, let vocabText = try? String(contentsOf: vocabTextURL, encoding: .utf8) {
                for (id, line) in vocabText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
                    if !token.isEmpty, wanted.contains(token), vocabulary[token] == nil { vocabulary[token] = id }
                }
            }
            if let ids = scan("added_tokens.json", { JSONKeyScanner.integers(for: wanted, inObject: $0) }) {
                vocabulary.merge(ids) { $1 }
            }
        }
        for (id, token) in tokenizerConfig?["added_tokens_decoder"]?.objectValue ?? [] {
            if let content = token["content"]?.stringValue, let id = Int(id) { vocabulary[content] = id }
        }
        func id(_ key: String) -> Int? {
            if let token = tokenString(key) { return vocabulary[token] }
            guard hasVocabText, let token = wordPieceDefaults[key] else { return nil }
            return vocabulary[token]
        }
        let bos = id("bos_token") ?? id("cls_token") ?? config["bos_token_id"]?.intValue
        let eos = id("eos_token") ?? id("sep_token") ?? config["eos_token_id"]?.intValue
        return SpecialTokenIDs(bos: bos, mask: id("mask_token"), eos: eos)
    }
}
