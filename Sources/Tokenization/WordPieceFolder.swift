import CheckpointIO
import Foundation

/// Reads a BERT tokenizer folder into what a `WordPieceTokenizer` needs, the way transformers'
/// `AutoTokenizer` (4.36 `BertTokenizerFast`, 5.x `BertTokenizer`) builds it: from `tokenizer.json`
/// when present, else from `vocab.txt` + `tokenizer_config.json` as `BertConverter` converts the slow
/// files; in both cases the normalizer options of `tokenizer_config.json` win over the file's.
struct WordPieceFolder {
    var vocabulary: [(token: String, id: Int)] = []
    var unknownToken = "[UNK]"
    var continuingSubwordPrefix = "##"
    var maxInputCharsPerWord = 100
    var normalizer = BertNormalizer()
    var template = SequenceTemplate.none
    var addedTokens: [AddedToken] = []
    /// `decoders.WordPiece` prefix and cleanup; nil prefix: no decoder (tokens joined by spaces).
    var decoderPrefix: String? = "##"
    var decoderCleanup = true
    var modelMaxLength: Int?
    var cleanUpTokenizationSpaces = true
    var truncationSide = TruncationSide.right
    var paddingRight = true
    var specialTokenNames: [String: String] = [:]

    /// Whether `folder` holds the files of a WordPiece tokenizer: a `tokenizer.json` whose model is
    /// WordPiece, or a `vocab.txt` without `tokenizer.json`.
    static func isWordPiece(_ folder: URL) -> Bool {
        let json = folder.appendingPathComponent("tokenizer.json")
        if FileManager.default.fileExists(atPath: json.path) {
            return TokenizerLoader.modelType(of: json) == "WordPiece"
        }
        return FileManager.default.fileExists(atPath: folder.appendingPathComponent("vocab.txt").path)
    }

    init(folder: URL) throws {
        let fm = FileManager.default
        let tokenizerJSON = folder.appendingPathComponent("tokenizer.json")
        let vocabTXT = folder.appendingPathComponent("vocab.txt")
        let config = try TokenizerFolder.optionalJSON(folder.appendingPathComponent("tokenizer_config.json"))
        let specialMap = try TokenizerFolder.optionalJSON(folder.appendingPathComponent("special_tokens_map.json"))
        for key in ["unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
            if let name = TokenizerFolder.tokenName(config?[key]) ?? TokenizerFolder.tokenName(specialMap?[key]) {
                specialTokenNames[key] = name
            }
        }
        let fromFile: BertNormalizer?
        if fm.fileExists(atPath: tokenizerJSON.path) {
            fromFile = try loadTokenizerJSON(tokenizerJSON)
        } else if fm.fileExists(atPath: vocabTXT.path) {
            try loadVocabTXT(vocabTXT, config: config, specialMap: specialMap,
                             addedTokensFile: folder.appendingPathComponent("added_tokens.json"))
            fromFile = nil
        } else {
            throw TokenizerError.noTokenizerFiles(folder: folder.path)
        }

        // BertTokenizerFast.__init__ (4.36) replaces the file's lowercase / strip_accents /
        // handle_chinese_chars by its own arguments, i.e. tokenizer_config.json's values or the
        // class defaults (do_lower_case=True, strip_accents=None, tokenize_chinese_chars=True);
        // transformers 5 rebuilds the normalizer from the same arguments. Applied when transformers
        // would pick a BERT tokenizer class: tokenizer_class names one, or none is named and
        // config.json says model_type bert.
        let modelConfig = try? TokenizerFolder.optionalJSON(folder.appendingPathComponent("config.json"))
        let tokenizerClass = config?["tokenizer_class"] as? String
            ?? ((modelConfig?["model_type"] as? String)?.lowercased().contains("bert") == true ? "BertTokenizer" : nil)
        if fromFile == nil || tokenizerClass?.contains("Bert") == true {
            let lowercase = config?["do_lower_case"] as? Bool ?? true
            normalizer = BertNormalizer(
                cleanText: fromFile?.cleanText ?? true,
                handleChineseChars: config?["tokenize_chinese_chars"] as? Bool ?? true,
                stripAccents: BertNormalizer.stripsAccents(config?["strip_accents"] as? Bool, lowercase: lowercase),
                lowercase: lowercase)
        } else if let fromFile {
            normalizer = fromFile
        }

        if let n = config?["model_max_length"] as? Int, n < 1 << 40 { modelMaxLength = n }
        if let c = config?["clean_up_tokenization_spaces"] as? Bool { cleanUpTokenizationSpaces = c }
        if let side = config?["truncation_side"] as? String { truncationSide = side == "left" ? .left : .right }
        if let side = config?["padding_side"] as? String { paddingRight = side != "left" }
        try ensureSpecialTokens()
    }

    /// Every named special token is an added token (transformers adds the missing ones at load).
    private mutating func ensureSpecialTokens() throws {
        var nextID = max(vocabulary.map(\.id).max() ?? -1, addedTokens.map(\.id).max() ?? -1) + 1
        let known = Set(addedTokens.map(\.content))
        var vocabID: [[UInt8]: Int] = [:]
        for (t, id) in vocabulary { vocabID[Array(t.utf8)] = id }
        for key in ["unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
            let name = specialTokenNames[key] ?? Self.defaultSpecial[key]!
            if known.contains(name) { continue }
            let id = vocabID[Array(name.utf8)] ?? { defer { nextID += 1 }; return nextID }()
            addedTokens.append(AddedToken(content: name, id: id, normalized: false, special: true))
        }
    }

    static let defaultSpecial = ["unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                                 "cls_token": "[CLS]", "mask_token": "[MASK]"]

    /// Returns the file's normalizer.
    private mutating func loadTokenizerJSON(_ url: URL) throws -> BertNormalizer {
        let json = try TokenizerFolder.readJSON(url)
        guard let model = json["model"] as? [String: Any], model["type"] as? String == "WordPiece" else {
            throw TokenizerError.unsupported(file: url.path, what: "model type \((json["model"] as? [String: Any])?["type"] ?? "?") (expected WordPiece)")
        }
        guard model["vocab"] is [String: Any] else {
            throw TokenizerError.unreadable(file: url.path, reason: "model.vocab is not a token -> id map")
        }
        // Foundation's JSONSerialization merges object keys that are canonically equivalent (`é` and
        // `e` + U+0301 become one entry), so the vocabulary is read again with CheckpointIO's parser,
        // which keeps every key's exact scalars.
        let exact: JSONValue
        do { exact = try JSONParser.parse([UInt8](Data(contentsOf: url))) } catch {
            throw TokenizerError.unreadable(file: url.path, reason: "\(error)")
        }
        let exactModel = exact.objectValue?.first { $0.0 == "model" }?.1
        guard let pairs = exactModel?.objectValue?.first(where: { $0.0 == "vocab" })?.1.objectValue else {
            throw TokenizerError.unreadable(file: url.path, reason: "model.vocab is not a token -> id map")
        }
        var byBytes: [[UInt8]: (String, Int)] = [:]   // a repeated key: the last one wins, as in serde
        for (token, value) in pairs {
            guard let id = value.intValue else {
                throw TokenizerError.unreadable(file: url.path, reason: "model.vocab[\(token.debugDescription)] is not an integer id")
            }
            byBytes[Array(token.utf8)] = (token, id)
        }
        vocabulary = byBytes.values.map { (token: $0.0, id: $0.1) }
        vocabulary.sort { $0.id < $1.id }
        if let unk = model["unk_token"] as? String { unknownToken = unk }
        if let prefix = model["continuing_subword_prefix"] as? String { continuingSubwordPrefix = prefix }
        if let n = model["max_input_chars_per_word"] as? Int { maxInputCharsPerWord = n }

        var fileNormalizer = BertNormalizer()
        if let n = json["normalizer"] as? [String: Any] {
            guard n["type"] as? String == "BertNormalizer" else {
                throw TokenizerError.unsupported(file: url.path, what: "normalizer \(n["type"] ?? "?") for a WordPiece tokenizer")
            }
            let lowercase = n["lowercase"] as? Bool ?? true
            fileNormalizer = BertNormalizer(cleanText: n["clean_text"] as? Bool ?? true,
                                            handleChineseChars: n["handle_chinese_chars"] as? Bool ?? true,
                                            stripAccents: BertNormalizer.stripsAccents(n["strip_accents"] as? Bool, lowercase: lowercase),
                                            lowercase: lowercase)
        }
        if let p = json["pre_tokenizer"] as? [String: Any], p["type"] as? String != "BertPreTokenizer" {
            throw TokenizerError.unsupported(file: url.path, what: "pre_tokenizer \(p["type"] ?? "?") for a WordPiece tokenizer")
        }
        template = try SequenceTemplate.parse(json["post_processor"], file: url.path)
        if let d = json["decoder"] as? [String: Any] {
            guard d["type"] as? String == "WordPiece" else {
                throw TokenizerError.unsupported(file: url.path, what: "decoder \(d["type"] ?? "?") for a WordPiece tokenizer")
            }
            decoderPrefix = d["prefix"] as? String ?? "##"
            decoderCleanup = d["cleanup"] as? Bool ?? true
        } else {
            decoderPrefix = nil
        }
        for entry in json["added_tokens"] as? [[String: Any]] ?? [] {
            if let id = entry["id"] as? Int, let token = AddedToken(json: entry, id: id) { addedTokens.append(token) }
        }
        // Truncation and padding stored in the file (sentence-transformers exports) are not applied:
        // transformers resets them on every call that does not ask for truncation / padding
        // (`set_truncation_and_padding`); only their direction becomes the default side.
        if let t = json["truncation"] as? [String: Any], (t["direction"] as? String)?.lowercased() == "left" {
            truncationSide = .left
        }
        if let p = json["padding"] as? [String: Any], (p["direction"] as? String)?.lowercased() == "left" {
            paddingRight = false
        }
        return fileNormalizer
    }

    private mutating func loadVocabTXT(_ url: URL, config: [String: Any]?, specialMap: [String: Any]?,
                                       addedTokensFile: URL) throws {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw TokenizerError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        // transformers' load_vocab: Python text-mode readlines (universal newlines: \r\n and \r end
        // lines too), each line without its "\n", id = line number; a repeated token keeps its last id.
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        var byBytes: [[UInt8]: (String, Int)] = [:]
        for (i, line) in lines.enumerated() where !(i == lines.count - 1 && line.isEmpty) {
            byBytes[Array(line.utf8)] = (String(line), i)
        }
        vocabulary = byBytes.values.map { (token: $0.0, id: $0.1) }.sorted { $0.id < $1.id }
        unknownToken = specialTokenNames["unk_token"] ?? "[UNK]"
        // BertConverter: WordPiece(vocab, unk_token) with the defaults (##, 100 characters), a
        // TemplateProcessing "[CLS]:0 $A:0 [SEP]:0" / "... $B:1 [SEP]:1", decoders.WordPiece("##").
        var ids: [[UInt8]: Int] = [:]
        for (t, id) in vocabulary { ids[Array(t.utf8)] = id }

        if let decoder = config?["added_tokens_decoder"] as? [String: [String: Any]] {
            for (key, entry) in decoder {
                if let id = Int(key), let token = AddedToken(json: entry, id: id) { addedTokens.append(token) }
            }
            addedTokens.sort { $0.id < $1.id }
        } else {
            // Older folders: the special tokens (not normalized, as transformers adds them), then
            // additional_special_tokens, then added_tokens.json.
            var nextID = (vocabulary.map(\.id).max() ?? -1) + 1
            var seen = Set<String>()
            func add(_ content: String, special: Bool) {
                guard !seen.contains(content) else { return }
                seen.insert(content)
                let id = ids[Array(content.utf8)] ?? { defer { nextID += 1 }; return nextID }()
                addedTokens.append(AddedToken(content: content, id: id, normalized: !special, special: special))
            }
            for key in ["unk_token", "sep_token", "pad_token", "cls_token", "mask_token"] {
                add(specialTokenNames[key] ?? Self.defaultSpecial[key]!, special: true)
            }
            for extra in specialMap?["additional_special_tokens"] as? [Any] ?? [] {
                if let name = TokenizerFolder.tokenName(extra) { add(name, special: true) }
            }
            if let added = try TokenizerFolder.optionalJSON(addedTokensFile) as? [String: Int] {
                for (content, id) in added.sorted(by: { $0.value < $1.value }) where !seen.contains(content) {
                    seen.insert(content)
                    addedTokens.append(AddedToken(content: content, id: id))
                }
            }
        }
        func special(_ key: String) throws -> Int {
            let name = specialTokenNames[key] ?? Self.defaultSpecial[key]!
            guard let id = addedTokens.first(where: { $0.content == name })?.id ?? ids[Array(name.utf8)] else {
                throw TokenizerError.unreadable(file: url.path, reason: "\(name) (\(key)) is neither in vocab.txt nor an added token")
            }
            return id
        }
        var bert = SequenceTemplate.bert(cls: try special("cls_token"), sep: try special("sep_token"))
        bert.typeIDsWithoutSpecialTokens = true
        template = bert
    }
}
