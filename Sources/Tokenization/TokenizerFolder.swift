import CheckpointIO
import Foundation

/// Reads the tokenizer files of a model folder into the pieces a `RobertaTokenizer` needs,
/// following what `transformers` 4.36 `RobertaTokenizerFast.from_pretrained` does.
struct TokenizerFolder {
    var vocabulary: [String: Int] = [:]
    var merges: [(String, String)] = []
    var unknownToken: String?
    var ignoreMerges = false
    var addedTokens: [AddedToken] = []
    var addPrefixSpace = false
    var modelMaxLength: Int?
    var cleanUpTokenizationSpaces = true
    var specialTokenNames: [String: String] = [:]   // "bos_token" -> "<s>" ...
    /// Ids the post-processor puts around a single sequence; nil: RoBERTa's `<s> ... </s>` from the special tokens.
    var framing: (prefix: [Int], suffix: [Int])?

    static func readJSON(_ url: URL) throws -> [String: Any] {
        do {
            let data = try Data(contentsOf: url)
            guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw TokenizerError.unreadable(file: url.path, reason: "not a JSON object")
            }
            return obj
        } catch let error as TokenizerError {
            throw error
        } catch {
            throw TokenizerError.unreadable(file: url.path, reason: "\(error.localizedDescription)")
        }
    }

    static func optionalJSON(_ url: URL) throws -> [String: Any]? {
        FileManager.default.fileExists(atPath: url.path) ? try readJSON(url) : nil
    }

    init(folder: URL) throws {
        let fm = FileManager.default
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        let vocabJSON = folder.appendingPathComponent("vocab.json")
        let mergesTXT = folder.appendingPathComponent("merges.txt")
        let config = try Self.optionalJSON(folder.appendingPathComponent("tokenizer_config.json"))
        let specialMap = try Self.optionalJSON(folder.appendingPathComponent("special_tokens_map.json"))

        if fm.fileExists(atPath: tokenizerJSON.path) {
            try loadTokenizerJSON(tokenizerJSON)
        } else if fm.fileExists(atPath: vocabJSON.path) && fm.fileExists(atPath: mergesTXT.path) {
            try loadVocabAndMerges(vocab: vocabJSON, merges: mergesTXT, config: config, specialMap: specialMap,
                                   addedTokensFile: folder.appendingPathComponent("added_tokens.json"))
        } else {
            throw TokenizerError.noTokenizerFiles(folder: folder.path)
        }

        // transformers overrides the pre-tokenizer's add_prefix_space with the tokenizer_config
        // value, whose default is False (RobertaTokenizerFast.__init__), even when tokenizer.json says otherwise.
        addPrefixSpace = config?["add_prefix_space"] as? Bool ?? false
        if let n = config?["model_max_length"] as? Int, n < 1 << 40 {
            modelMaxLength = n
        } else if config?["model_max_length"] == nil,
                  let model = try? Self.optionalJSON(folder.appendingPathComponent("config.json")),
                  let positions = model["max_position_embeddings"] as? Int, positions > 2 {
            // No tokenizer_config.json (the hub's roberta-base has none): transformers then takes 512
            // from its table of known checkpoints; positions - 2 (RoBERTa's padding offset) gives the
            // same 512 for roberta-base and the right length for LSG conversions.
            modelMaxLength = positions - 2
        }
        if let c = config?["clean_up_tokenization_spaces"] as? Bool { cleanUpTokenizationSpaces = c }
        for key in ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
            if let name = Self.tokenName(config?[key]) ?? Self.tokenName(specialMap?[key]) {
                specialTokenNames[key] = name
            }
        }
    }

    static func tokenName(_ value: Any?) -> String? {
        if let s = value as? String { return s }
        if let d = value as? [String: Any] { return d["content"] as? String }
        return nil
    }

    private mutating func loadTokenizerJSON(_ url: URL) throws {
        let json = try Self.readJSON(url)
        guard let model = json["model"] as? [String: Any] else {
            throw TokenizerError.unreadable(file: url.path, reason: "no \"model\" object")
        }
        guard (model["type"] as? String ?? "BPE") == "BPE" else {
            throw TokenizerError.unsupported(file: url.path, what: "model type \(model["type"] ?? "?")")
        }
        if let pre = json["pre_tokenizer"] as? [String: Any], pre["type"] as? String != "ByteLevel" {
            throw TokenizerError.unsupported(file: url.path, what: "pre-tokenizer \(pre["type"] ?? "?")")
        }
        if let norm = json["normalizer"], !(norm is NSNull) {
            throw TokenizerError.unsupported(file: url.path, what: "a normalizer")
        }
        guard let vocab = model["vocab"] as? [String: Int] else {
            throw TokenizerError.unreadable(file: url.path, reason: "model.vocab is not a token -> id map")
        }
        vocabulary = vocab
        let rawMerges = model["merges"] as? [Any] ?? []
        for (i, m) in rawMerges.enumerated() {
            // tokenizers < 0.20 writes "a b"; later versions write ["a", "b"].
            if let s = m as? String {
                let parts = s.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else { throw TokenizerError.invalidMerge(file: url.path, line: i + 1, merge: s) }
                merges.append((String(parts[0]), String(parts[1])))
            } else if let pair = m as? [String], pair.count == 2 {
                merges.append((pair[0], pair[1]))
            } else {
                throw TokenizerError.invalidMerge(file: url.path, line: i + 1, merge: "\(m)")
            }
        }
        unknownToken = model["unk_token"] as? String
        ignoreMerges = model["ignore_merges"] as? Bool ?? false
        framing = try Self.framing(of: json["post_processor"], file: url.path)
        for entry in json["added_tokens"] as? [[String: Any]] ?? [] {
            if let id = entry["id"] as? Int, let token = AddedToken(json: entry, id: id) {
                addedTokens.append(token)
            }
        }
    }

    /// The single-sequence framing of a `tokenizer.json` post-processor: `RobertaProcessing` /
    /// `BertProcessing` put `cls` before and `sep` after; `TemplateProcessing` follows its `single`
    /// template; `ByteLevel` or none adds nothing (a tokenizer saved straight from `tokenizers`
    /// training has no framing, and transformers then adds none either); `Sequence` combines them.
    static func framing(of processor: Any?, file: String) throws -> (prefix: [Int], suffix: [Int]) {
        guard let p = processor as? [String: Any] else { return ([], []) }
        func tokenID(_ value: Any?) -> Int? { (value as? [Any])?.last as? Int }
        switch p["type"] as? String {
        case "RobertaProcessing", "BertProcessing":
            guard let cls = tokenID(p["cls"]), let sep = tokenID(p["sep"]) else {
                throw TokenizerError.unreadable(file: file, reason: "post_processor without cls/sep ids")
            }
            return ([cls], [sep])
        case "TemplateProcessing":
            let specials = p["special_tokens"] as? [String: [String: Any]] ?? [:]
            var prefix: [Int] = [], suffix: [Int] = []
            var seenSequence = false
            for piece in p["single"] as? [[String: Any]] ?? [] {
                if piece["Sequence"] != nil { seenSequence = true; continue }
                guard let special = piece["SpecialToken"] as? [String: Any], let name = special["id"] as? String,
                      let ids = specials[name]?["ids"] as? [Int] else {
                    throw TokenizerError.unsupported(file: file, what: "post_processor template piece \(piece)")
                }
                if seenSequence { suffix += ids } else { prefix += ids }
            }
            return (prefix, suffix)
        case "Sequence":
            var prefix: [Int] = [], suffix: [Int] = []
            for inner in p["processors"] as? [Any] ?? [] {
                let f = try framing(of: inner, file: file)
                prefix = f.prefix + prefix
                suffix += f.suffix
            }
            return (prefix, suffix)
        case "ByteLevel":
            return ([], [])
        default:
            throw TokenizerError.unsupported(file: file, what: "post_processor \(p["type"] ?? "?")")
        }
    }

    private mutating func loadVocabAndMerges(vocab: URL, merges mergesURL: URL, config: [String: Any]?,
                                             specialMap: [String: Any]?, addedTokensFile: URL) throws {
        // The byte scanner reads the 50k-entry map ~10x faster than JSONSerialization (issue 14);
        // whatever it cannot read goes through JSONSerialization, for its error message.
        if let file = try? MappedFile(path: vocab.path), let v = JSONKeyScanner.integerObject(file.bytes) {
            vocabulary = v
        } else {
            guard let v = try Self.readJSON(vocab) as? [String: Int] else {
                throw TokenizerError.unreadable(file: vocab.path, reason: "not a token -> id map")
            }
            vocabulary = v
        }
        let text: String
        do { text = try String(contentsOf: mergesURL, encoding: .utf8) } catch {
            throw TokenizerError.unreadable(file: mergesURL.path, reason: error.localizedDescription)
        }
        // merges.txt: an optional "#version" header, then "a b" per line (the slow tokenizer skips
        // the first line and empty lines).
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty || (i == 0 && trimmed.hasPrefix("#version")) { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                throw TokenizerError.invalidMerge(file: mergesURL.path, line: i + 1, merge: String(trimmed))
            }
            merges.append((String(parts[0]), String(parts[1])))
        }
        unknownToken = nil   // the converted fast tokenizer of RoBERTa has no BPE unk (byte-level)

        if let decoder = config?["added_tokens_decoder"] as? [String: [String: Any]] {
            // transformers >= 4.34 lists every added token with its options here.
            for (key, entry) in decoder {
                if let id = Int(key), let token = AddedToken(json: entry, id: id) { addedTokens.append(token) }
            }
            addedTokens.sort { $0.id < $1.id }
            return
        }
        // Older folders: the special tokens (RoBERTa's defaults; `<mask>` strips left), then added_tokens.json.
        let defaults: [(String, String)] = [("bos_token", "<s>"), ("pad_token", "<pad>"), ("eos_token", "</s>"),
                                            ("unk_token", "<unk>"), ("sep_token", "</s>"), ("cls_token", "<s>"),
                                            ("mask_token", "<mask>")]
        var seen = Set<String>()
        var nextID = vocabulary.values.max().map { $0 + 1 } ?? 0
        func add(_ value: Any?, fallback: String?, isMask: Bool, special: Bool) {
            let dict = value as? [String: Any]
            guard let content = Self.tokenName(value) ?? fallback, !seen.contains(content) else { return }
            seen.insert(content)
            let id = vocabulary[content] ?? { defer { nextID += 1 }; return nextID }()
            var token = AddedToken(content: content, id: id, lstrip: isMask, normalized: !isMask, special: special)
            if let d = dict, let parsed = AddedToken(json: d, id: id) {
                token = parsed
                token.special = special
            }
            addedTokens.append(token)
        }
        for (key, fallback) in defaults {
            add(config?[key] ?? specialMap?[key], fallback: fallback, isMask: key == "mask_token", special: true)
        }
        for extra in specialMap?["additional_special_tokens"] as? [Any] ?? [] {
            add(extra, fallback: nil, isMask: false, special: true)
        }
        if let added = try Self.optionalJSON(addedTokensFile) as? [String: Int] {
            for (content, id) in added.sorted(by: { $0.value < $1.value }) where !seen.contains(content) {
                seen.insert(content)
                addedTokens.append(AddedToken(content: content, id: id))
            }
        }
    }
}
