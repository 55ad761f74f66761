import Foundation

/// BERT's WordPiece tokenizer, producing the ids of Hugging Face `tokenizers` (0.15 and 0.23) as
/// transformers' `AutoTokenizer` loads it (4.36 `BertTokenizerFast`, 5.x `BertTokenizer`).
///
/// Encoding: added/special tokens are split out of the raw text (`[MASK]` etc., not normalized),
/// the rest goes through the `BertNormalizer` (normalized added tokens are then matched on the
/// normalized text), the `BertPreTokenizer` (whitespace and punctuation) and WordPiece (`##`
/// continuations, `[UNK]` for a word it cannot cover or longer than `max_input_chars_per_word`),
/// then truncation and the post-processor's framing (`[CLS] A [SEP]`, `[CLS] A [SEP] B [SEP]` with
/// type ids 0 / 1). Truncation and padding stored in `tokenizer.json` are ignored, as transformers
/// ignores them unless asked.
public final class WordPieceTokenizer: Sendable {
    private let model: WordPieceModel
    private let normalizer: BertNormalizer
    private let splitter: AddedTokenSplitter
    private let template: SequenceTemplate
    private let addedByID: [Int: AddedToken]
    private let addedIDByContent: [String: Int]
    private let specialIDs: Set<Int>
    private let decoderPrefix: String?
    private let decoderCleanup: Bool

    /// `tokenizer_config.json` `model_max_length` (nil when absent or "infinite").
    public let modelMaxLength: Int?
    /// Whether `decode` applies transformers' `clean_up_tokenization` by default (4.36: true unless
    /// the config says otherwise).
    public let cleanUpTokenizationSpaces: Bool
    /// Which end `truncation` cuts (tokenizer_config `truncation_side`, default right).
    public let truncationSide: TruncationSide
    /// Whether batches are padded on the right (tokenizer_config `padding_side`, default right).
    public let padsOnTheRight: Bool

    public let clsTokenID: Int
    public let sepTokenID: Int
    public let padTokenID: Int
    public let maskTokenID: Int
    public let unknownTokenID: Int
    /// The mask token's text, e.g. `[MASK]`.
    public let maskToken: String

    /// Number of ids: vocabulary plus added tokens beyond it (transformers' `len(tokenizer)`).
    public let vocabularySize: Int

    /// Loads `tokenizer.json` (preferred) or `vocab.txt`, with `tokenizer_config.json`,
    /// `special_tokens_map.json` and `added_tokens.json` when present.
    public convenience init(folder: URL) throws {
        try self.init(WordPieceFolder(folder: folder), source: folder.path)
    }

    init(_ files: WordPieceFolder, source: String) throws {
        model = try WordPieceModel(vocabulary: files.vocabulary, unknownToken: files.unknownToken,
                                   continuingSubwordPrefix: files.continuingSubwordPrefix,
                                   maxInputCharsPerWord: files.maxInputCharsPerWord, file: source)
        let normalizer = files.normalizer
        self.normalizer = normalizer
        splitter = AddedTokenSplitter(tokens: files.addedTokens, normalize: { normalizer.normalize($0) })
        template = files.template
        var byID: [Int: AddedToken] = [:]
        for t in files.addedTokens { byID[t.id] = t }
        addedByID = byID
        addedIDByContent = Dictionary(files.addedTokens.map { ($0.content, $0.id) }, uniquingKeysWith: { a, _ in a })
        specialIDs = Set(files.addedTokens.filter(\.special).map(\.id))
        decoderPrefix = files.decoderPrefix
        decoderCleanup = files.decoderCleanup
        modelMaxLength = files.modelMaxLength
        cleanUpTokenizationSpaces = files.cleanUpTokenizationSpaces
        truncationSide = files.truncationSide
        padsOnTheRight = files.paddingRight

        let added = addedIDByContent
        let model = self.model
        func id(_ key: String) throws -> Int {
            let name = files.specialTokenNames[key] ?? WordPieceFolder.defaultSpecial[key]!
            guard let id = added[name] ?? model.id(forToken: name) else {
                throw TokenizerError.unreadable(file: source, reason: "the \(key) \(name) is not in the vocabulary")
            }
            return id
        }
        clsTokenID = try id("cls_token")
        sepTokenID = try id("sep_token")
        padTokenID = try id("pad_token")
        maskTokenID = try id("mask_token")
        unknownTokenID = try id("unk_token")
        maskToken = files.specialTokenNames["mask_token"] ?? "[MASK]"
        let maxID = max(files.vocabulary.map(\.id).max() ?? -1, files.addedTokens.map(\.id).max() ?? -1)
        vocabularySize = max(maxID + 1, files.vocabulary.count)
    }

    // MARK: - Encoding

    /// Token ids of `text` without special tokens and without truncation.
    public func tokenize(_ text: String) -> [Int] {
        var ids: [Int] = []
        for piece in splitter.split(text) {
            switch piece {
            case .token(let id):
                ids.append(id)
            case .text(let normalized):   // the splitter hands back normalized text
                for word in BertPreTokenizer.split(normalized) {
                    ids.append(contentsOf: model.encode(word: word))
                }
            }
        }
        return ids
    }

    /// Encodes a text or a text pair.
    /// - Parameters:
    ///   - pair: the second sequence (`tokenizer(text, pair)`), framed `[CLS] A [SEP] B [SEP]`.
    ///   - truncation: the strategy, or nil for none; truncation is to `maxLength`, else to `modelMaxLength`.
    ///   - maxLength: total length, special tokens included. Given without `truncation` it truncates
    ///     with `longestFirst`, as transformers does. When it is smaller than the number of special
    ///     tokens nothing is truncated (the reference's unsigned subtraction wraps around).
    /// - Throws: `TokenizerError.truncation` when `onlyFirst` / `onlySecond` cannot reach the length.
    public func encode(_ text: String, pair: String?, addSpecialTokens: Bool = true,
                       truncation: TruncationStrategy? = nil, maxLength: Int? = nil) throws -> Encoding {
        // transformers' `_encode_plus` tests the pair for truth (`[(text, text_pair)] if text_pair
        // else [text]`): an empty second text encodes a single text. In a batch it stays a pair.
        try encodeSequences(text, pair: pair?.isEmpty == false ? pair : nil, addSpecialTokens: addSpecialTokens,
                            truncation: truncation, maxLength: maxLength)
    }

    private func encodeSequences(_ text: String, pair: String?, addSpecialTokens: Bool,
                                 truncation: TruncationStrategy?, maxLength: Int?) throws -> Encoding {
        var first = tokenize(text)
        var second = pair.map(tokenize)
        let strategy = truncation ?? (maxLength != nil ? .longestFirst : nil)
        if let strategy, let limit = maxLength ?? modelMaxLength {
            let room = limit - (addSpecialTokens ? template.addedCount(pair: second != nil) : 0)
            if room >= 0 {
                (first, second) = try Truncation.truncate(first, second, maxLength: room, strategy: strategy, side: truncationSide)
            }
        }
        let framed = template.apply(second.map { [first, $0] } ?? [first], addSpecialTokens: addSpecialTokens)
        return Encoding(ids: framed.ids, tokens: framed.ids.map { token(forID: $0) ?? "" },
                        attentionMask: [Int](repeating: 1, count: framed.ids.count), typeIDs: framed.typeIDs)
    }

    /// Encodes one text (`truncation: true` is `longest_first` to `maxLength` or `modelMaxLength`).
    public func encode(_ text: String, addSpecialTokens: Bool = true, truncation: Bool = false,
                       maxLength: Int? = nil) -> Encoding {
        // A single text with longest_first cannot fail.
        try! encode(text, pair: nil, addSpecialTokens: addSpecialTokens,
                    truncation: truncation ? .longestFirst : nil, maxLength: maxLength)
    }

    /// Encodes texts (or text pairs) and pads them with `[PAD]` (type id 0, mask 0) to the longest,
    /// rounded up to a multiple of `padToMultipleOf` (transformers' `padding=True`).
    public func encodeBatch(_ texts: [String], pairs: [String]? = nil, addSpecialTokens: Bool = true,
                            truncation: TruncationStrategy? = .longestFirst, maxLength: Int? = nil,
                            padToMultipleOf: Int? = nil) throws -> BatchEncoding {
        if let pairs, pairs.count != texts.count {
            throw TokenizerError.unsupportedRequest("\(texts.count) texts but \(pairs.count) second sequences")
        }
        let encodings = try texts.indices.map {
            try encodeSequences(texts[$0], pair: pairs?[$0], addSpecialTokens: addSpecialTokens, truncation: truncation, maxLength: maxLength)
        }
        return BatchEncoding(padding: encodings, padID: padTokenID, padToken: token(forID: padTokenID) ?? "[PAD]",
                             toMultipleOf: padToMultipleOf, onTheLeft: !padsOnTheRight)
    }

    // MARK: - Vocabulary

    /// The vocabulary string of an id (added tokens first), e.g. `##ing`; nil if out of range.
    public func token(forID id: Int) -> String? {
        addedByID[id]?.content ?? model.tokenByID[id]
    }

    /// The id of a vocabulary string or an added token.
    public func id(forToken token: String) -> Int? {
        addedIDByContent[token] ?? model.id(forToken: token)
    }

    /// Whether `id` is a special token (dropped by `decode(skipSpecialTokens: true)`).
    public func isSpecial(_ id: Int) -> Bool { specialIDs.contains(id) }

    // MARK: - Decoding

    /// Text of some ids, as transformers' `decode`: the tokens through `decoders.WordPiece` (each
    /// token after the first gets a space unless it starts with `##`, which is removed; with
    /// `cleanup`, `" ."`, `" ?"`, `" !"`, `" ,"` etc. are joined per token), then transformers'
    /// `clean_up_tokenization` when enabled. Unknown ids are skipped, as the reference does.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool? = nil) -> String {
        var tokens: [String] = []
        for id in ids {
            if skipSpecialTokens && specialIDs.contains(id) { continue }
            if let t = token(forID: id) { tokens.append(t) }
        }
        var text: String
        if let prefix = decoderPrefix {
            var pieces: [String] = []
            for (i, token) in tokens.enumerated() {
                var piece = token
                if i != 0 {
                    if token.unicodeScalars.starts(with: prefix.unicodeScalars) {
                        piece = String(String.UnicodeScalarView(token.unicodeScalars.dropFirst(prefix.unicodeScalars.count)))
                    } else {
                        piece = " " + token
                    }
                }
                if decoderCleanup { piece = TokenizationCleanUp.wordPieceDecoder(piece) }
                pieces.append(piece)
            }
            text = pieces.joined()
        } else {
            text = tokens.joined(separator: " ")   // no decoder: tokenizers joins the tokens with spaces
        }
        if cleanUpTokenizationSpaces ?? self.cleanUpTokenizationSpaces { text = TokenizationCleanUp.transformers(text) }
        return text
    }

    /// Text of a single id (fill-mask's `token_str`).
    public func decode(_ id: Int) -> String { decode([id]) }
}
