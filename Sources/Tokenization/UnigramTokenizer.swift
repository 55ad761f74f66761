import Foundation

/// A SentencePiece Unigram tokenizer loaded from `tokenizer.json` (XLM-RoBERTa, CamemBERT), producing
/// the ids of Hugging Face `tokenizers` (0.15 and current) / `transformers`' `*TokenizerFast`.
///
/// Encoding follows `TokenizerImpl::encode_single_sequence`: added tokens with `normalized: false`
/// are split out of the raw text (`<mask>` swallows the whitespace before it); each remaining piece
/// is normalized by the file's normalizer (XLM-R: `Precompiled` SentencePiece rules, then runs of
/// spaces collapsed), the `normalized: true` added tokens are split out of that, the pre-tokenizer
/// (`Metaspace`: spaces -> `▁`, a `▁` prepended, split before each `▁`) cuts words, and each word is
/// segmented by ``UnigramModel``'s Viterbi. The post-processor's template frames the result.
public final class UnigramTokenizer: TextTokenizer {
    private let model: UnigramModel
    private let normalizer: TextNormalizer?
    private let preTokenizer: MetaspacePreTokenizer?
    private let decoder: TokenDecoder?
    private let template: PostProcessorTemplate
    private let splitter: AddedTokenSplitter
    private let addedByID: [Int: AddedToken]
    private let addedIDByContent: [String: Int]
    private let specialIDs: Set<Int>

    public let modelMaxLength: Int?
    /// Whether `decode` applies transformers' `clean_up_tokenization` by default.
    public let cleanUpTokenizationSpaces: Bool
    public let bosTokenID: Int
    public let eosTokenID: Int
    public let padTokenID: Int
    public let maskTokenID: Int
    public let unknownTokenID: Int?
    public let vocabularySize: Int
    /// Ids put before / after a single text (`[<s>]` / `[</s>]`; CamemBERT: `[5]` / `[6]`).
    public var prefixIDs: [Int] { template.singlePrefix }
    public var suffixIDs: [Int] { template.singleSuffix }
    /// The mask token's text (`<mask>`).
    public var maskToken: String { token(forID: maskTokenID) ?? "<mask>" }
    /// XLM-R and CamemBERT take no `token_type_ids` (transformers' `model_input_names`).
    public var returnsTokenTypeIDs: Bool { false }

    /// Loads `tokenizer.json` with `tokenizer_config.json` / `special_tokens_map.json` from a model folder.
    public convenience init(folder: URL) throws {
        let file = folder.appendingPathComponent("tokenizer.json")
        guard FileManager.default.fileExists(atPath: file.path) else { throw TokenizerError.noTokenizerFiles(folder: folder.path) }
        try self.init(tokenizerJSON: TokenizerFolder.readJSON(file), file: file.path, folder: folder)
    }

    /// - Parameters:
    ///   - tokenizerJSON: the parsed `tokenizer.json`.
    ///   - folder: where `tokenizer_config.json` etc. are read from (nil: none).
    init(tokenizerJSON json: [String: Any], file: String, folder: URL?) throws {
        guard let modelJSON = json["model"] as? [String: Any] else {
            throw TokenizerError.unreadable(file: file, reason: "no \"model\" object")
        }
        guard modelJSON["type"] as? String == "Unigram" else {
            throw TokenizerError.unsupported(file: file, what: "model type \(modelJSON["type"] ?? "?") (expected Unigram)")
        }
        guard let vocab = modelJSON["vocab"] as? [Any] else {
            throw TokenizerError.unreadable(file: file, reason: "Unigram model.vocab is not a list of [piece, score]")
        }
        var pieces: [(String, Double)] = []
        pieces.reserveCapacity(vocab.count)
        for (i, entry) in vocab.enumerated() {
            guard let pair = entry as? [Any], pair.count == 2, let piece = pair[0] as? String,
                  let score = (pair[1] as? NSNumber)?.doubleValue, score.isFinite else {
                throw TokenizerError.unreadable(file: file, reason: "Unigram model.vocab[\(i)] is not [piece, score]")
            }
            pieces.append((piece, score))
        }
        guard let unk = modelJSON["unk_id"] as? Int else {
            throw TokenizerError.unsupported(file: file, what: "a Unigram model without unk_id")
        }
        model = try UnigramModel(pieces: pieces, unknownID: unk, byteFallback: modelJSON["byte_fallback"] as? Bool ?? false, file: file)
        normalizer = try Self.optional(json["normalizer"]).map { try TextNormalizer(json: $0, file: file) }
        preTokenizer = try Self.optional(json["pre_tokenizer"]).map { try MetaspacePreTokenizer(json: $0, file: file) }
        decoder = try Self.optional(json["decoder"]).map { try TokenDecoder(json: $0, file: file) }
        template = try PostProcessorTemplate(json: Self.optional(json["post_processor"]), file: file)

        var added: [AddedToken] = []
        for entry in json["added_tokens"] as? [[String: Any]] ?? [] {
            if let id = entry["id"] as? Int, let token = AddedToken(json: entry, id: id) {
                // tokenizers stores ids as u32.
                guard id >= 0 && id <= Int(UInt32.max) else {
                    throw TokenizerError.unreadable(file: file, reason: "added token \(token.content.debugDescription) has id \(id), outside 0...\(UInt32.max)")
                }
                added.append(token)
            }
        }
        var normalize: (@Sendable ([Unicode.Scalar]) -> [Unicode.Scalar])?
        if let n = normalizer {
            normalize = { scalars in Array(n.normalize(TextNormalizer.string(scalars)).unicodeScalars) }
        }
        splitter = AddedTokenSplitter(tokens: added, normalize: normalize)
        addedByID = Dictionary(added.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let byContent = Dictionary(added.map { ($0.content, $0.id) }, uniquingKeysWith: { a, _ in a })
        addedIDByContent = byContent
        specialIDs = Set(added.filter(\.special).map(\.id))

        let config = try folder.flatMap { try TokenizerFolder.optionalJSON($0.appendingPathComponent("tokenizer_config.json")) }
        let specialMap = try folder.flatMap { try TokenizerFolder.optionalJSON($0.appendingPathComponent("special_tokens_map.json")) }
        if let n = config?["model_max_length"] as? Int, n < 1 << 40 {
            modelMaxLength = n
        } else if config?["model_max_length"] == nil, let folder,
                  let modelConfig = try? TokenizerFolder.optionalJSON(folder.appendingPathComponent("config.json")),
                  let positions = modelConfig["max_position_embeddings"] as? Int, positions > 2 {
            // As RobertaTokenizer: XLM-R / CamemBERT position tables also have 2 offset rows.
            modelMaxLength = positions - 2
        } else {
            modelMaxLength = nil
        }
        cleanUpTokenizationSpaces = config?["clean_up_tokenization_spaces"] as? Bool ?? true
        let model = self.model
        func id(_ key: String, _ fallback: String) -> Int? {
            let name = TokenizerFolder.tokenName(config?[key]) ?? TokenizerFolder.tokenName(specialMap?[key]) ?? fallback
            return byContent[name] ?? model.byBytes[Array(name.utf8)]
        }
        guard let bos = id("bos_token", "<s>"), let eos = id("eos_token", "</s>"),
              let pad = id("pad_token", "<pad>"), let mask = id("mask_token", "<mask>") else {
            throw TokenizerError.unreadable(file: file, reason: "missing one of the <s> </s> <pad> <mask> tokens")
        }
        bosTokenID = bos
        eosTokenID = eos
        padTokenID = pad
        maskTokenID = mask
        unknownTokenID = id("unk_token", "<unk>") ?? unk
        let maxID = max(pieces.count - 1, added.map(\.id).max() ?? -1)
        vocabularySize = maxID + 1
    }

    /// JSON null and absence alike.
    private static func optional(_ value: Any?) -> Any? { value is NSNull ? nil : value }

    // MARK: - Encoding

    /// Token ids of `text` without special tokens and without truncation.
    public func tokenize(_ text: String) -> [Int] {
        var ids: [Int] = []
        var sawText = false
        // The splitter returns added tokens and normalized text pieces (empty ones dropped).
        for (index, piece) in splitter.split(text).enumerated() {
            switch piece {
            case .token(let id):
                ids.append(id)
            case .text(let scalars):
                let piece = TextPiece(scalars: scalars, atStart: index == 0, isFirst: !sawText)
                sawText = true
                for word in preTokenizer?.split([piece]) ?? [piece] {
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(word.scalars.count * 2)
                    for s in word.scalars { UTF8.encode(s) { bytes.append($0) } }
                    ids.append(contentsOf: model.encode(bytes))
                }
            }
        }
        return ids
    }

    /// Encodes one text, framed by the post-processor's single template (`<s> A </s>`).
    /// - Parameters:
    ///   - maxLength: truncate the content so that the result (special tokens included) has at most
    ///     this many ids; `nil` uses `modelMaxLength` when `truncation` is true.
    public func encode(_ text: String, addSpecialTokens: Bool = true, truncation: Bool = false,
                       maxLength: Int? = nil) -> Encoding {
        var content = tokenize(text)
        if let limit = maxLength ?? (truncation ? modelMaxLength : nil) {
            let room = max(0, limit - (addSpecialTokens ? template.singleAdded : 0))
            if content.count > room { content.removeLast(content.count - room) }
        }
        return encoding(addSpecialTokens ? template.frame(content) : content)
    }

    /// A text or a pair (`<s> A </s></s> B </s>`), truncated with `strategy` to `maxLength` (else
    /// `modelMaxLength`) when a strategy is given, as `tokenizers`' `truncate_encodings`.
    public func encode(_ text: String, pair: String?, addSpecialTokens: Bool = true, truncation: TruncationStrategy?,
                       maxLength: Int? = nil) throws -> Encoding {
        var a = tokenize(text)
        var b = pair.map(tokenize)
        if let truncation, let limit = maxLength ?? modelMaxLength {
            let added = addSpecialTokens ? (b == nil ? template.singleAdded : template.pairAdded) : 0
            (a, b) = try Truncation.truncate(a, b, maxLength: max(0, limit - added), strategy: truncation, side: .right)
        }
        if let b { return encoding(addSpecialTokens ? template.frame(a, b) : a + b) }
        return encoding(addSpecialTokens ? template.frame(a) : a)
    }

    /// Encodes several texts and right-pads them with `<pad>` to the longest, rounded up to a
    /// multiple of `padToMultipleOf` (transformers' `padding=True, pad_to_multiple_of=`).
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true, truncation: Bool = true,
                            maxLength: Int? = nil, padToMultipleOf: Int? = nil) -> BatchEncoding {
        let encodings = texts.map { encode($0, addSpecialTokens: addSpecialTokens, truncation: truncation, maxLength: maxLength) }
        return BatchEncoding(padding: encodings, padID: padTokenID, padToken: token(forID: padTokenID) ?? "<pad>",
                             toMultipleOf: padToMultipleOf)
    }

    private func encoding(_ ids: [Int]) -> Encoding {
        Encoding(ids: ids, tokens: ids.map { token(forID: $0) ?? "" }, attentionMask: [Int](repeating: 1, count: ids.count))
    }

    // MARK: - Vocabulary

    public func token(forID id: Int) -> String? {
        if let added = addedByID[id] { return added.content }
        return id >= 0 && id < model.pieces.count ? model.pieces[id] : nil
    }

    public func id(forToken token: String) -> Int? {
        addedIDByContent[token] ?? model.byBytes[Array(token.utf8)]
    }

    public func isSpecial(_ id: Int) -> Bool { specialIDs.contains(id) }

    // MARK: - Decoding

    /// Tokens through the file's decoder (`Metaspace`: `▁` -> space, dropped in the first token), joined
    /// with spaces when the file has none; unknown ids are skipped; then transformers' clean-up.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces cleanUp: Bool? = nil) -> String {
        let tokens = ids.compactMap { id -> String? in
            if skipSpecialTokens && specialIDs.contains(id) { return nil }
            return token(forID: id)
        }
        let text = decoder?.decode(tokens) ?? tokens.joined(separator: " ")
        return (cleanUp ?? cleanUpTokenizationSpaces) ? TokenizationCleanUp.transformers(text) : text
    }

    /// Text of a single id (fill-mask's `token_str`).
    public func decode(_ id: Int) -> String { decode([id]) }
}
