import Foundation

/// RoBERTa's byte-level BPE tokenizer, producing the ids of Hugging Face `tokenizers` 0.15 /
/// `transformers` 4.36 `RobertaTokenizerFast`.
///
/// Encoding: added/special tokens are split out of the raw text first (`<mask>` swallows the
/// whitespace before it), each remaining piece gets a leading space if `addPrefixSpace` and it does
/// not start with one, is cut by the GPT-2 pattern, mapped to byte-level characters and run through
/// BPE; the result is framed as `<s> ... </s>`.
public final class RobertaTokenizer: Sendable {
    private let bpe: BytePairEncoder
    private let splitter: AddedTokenSplitter
    private let addedByID: [Int: AddedToken]
    private let addedIDByContent: [String: Int]
    private let specialIDs: Set<Int>

    /// Prepend a space to each text piece not starting with one (tokenizer_config `add_prefix_space`).
    public let addPrefixSpace: Bool
    /// `tokenizer_config.json` `model_max_length` (nil when absent or "infinite").
    public let modelMaxLength: Int?
    /// Whether `decode` applies transformers' `clean_up_tokenization` by default.
    public let cleanUpTokenizationSpaces: Bool

    public let bosTokenID: Int
    public let eosTokenID: Int
    public let padTokenID: Int
    public let maskTokenID: Int
    public let unknownTokenID: Int?

    /// Ids put before / after the content when special tokens are added: `[<s>]` / `[</s>]` for
    /// RoBERTa's `RobertaProcessing`; empty when `tokenizer.json` has no framing post-processor.
    public let prefixIDs: [Int]
    public let suffixIDs: [Int]

    /// Number of ids: model vocabulary plus added tokens beyond it (transformers' `len(tokenizer)`).
    public let vocabularySize: Int

    /// Loads `tokenizer.json` (preferred) or `vocab.json` + `merges.txt` from a model folder, with
    /// `tokenizer_config.json`, `special_tokens_map.json` and `added_tokens.json` when present.
    public convenience init(folder: URL) throws {
        try self.init(TokenizerFolder(folder: folder), source: folder.path)
    }

    /// Whether `folder` holds tokenizer files this type can load.
    public static func hasTokenizerFiles(in folder: URL) -> Bool {
        let fm = FileManager.default
        return fm.fileExists(atPath: folder.appendingPathComponent("tokenizer.json").path)
            || (fm.fileExists(atPath: folder.appendingPathComponent("vocab.json").path)
                && fm.fileExists(atPath: folder.appendingPathComponent("merges.txt").path))
    }

    init(_ files: TokenizerFolder, source: String) throws {
        bpe = try BytePairEncoder(vocabulary: files.vocabulary, merges: files.merges,
                                  unknownToken: files.unknownToken, ignoreMerges: files.ignoreMerges, file: source)
        splitter = AddedTokenSplitter(tokens: files.addedTokens)
        var byID: [Int: AddedToken] = [:]
        for t in files.addedTokens { byID[t.id] = t }
        addedByID = byID
        specialIDs = Set(files.addedTokens.filter(\.special).map(\.id))
        addPrefixSpace = files.addPrefixSpace
        modelMaxLength = files.modelMaxLength
        cleanUpTokenizationSpaces = files.cleanUpTokenizationSpaces

        let addedContent = Dictionary(files.addedTokens.map { ($0.content, $0.id) }, uniquingKeysWith: { a, _ in a })
        addedIDByContent = addedContent
        func id(_ key: String, _ fallback: String) -> Int? {
            let name = files.specialTokenNames[key] ?? fallback
            return addedContent[name] ?? files.vocabulary[name]
        }
        guard let bos = id("bos_token", "<s>"), let eos = id("eos_token", "</s>"),
              let pad = id("pad_token", "<pad>"), let mask = id("mask_token", "<mask>") else {
            throw TokenizerError.unreadable(file: source, reason: "missing one of the <s> </s> <pad> <mask> tokens")
        }
        bosTokenID = bos
        eosTokenID = eos
        padTokenID = pad
        maskTokenID = mask
        unknownTokenID = id("unk_token", "<unk>")
        prefixIDs = files.framing?.prefix ?? [bos]
        suffixIDs = files.framing?.suffix ?? [eos]
        // tokenizers stores ids as u32; anything else is a damaged file (and would overflow below).
        if let bad = files.vocabulary.first(where: { $0.value < 0 || $0.value > Int(UInt32.max) }) {
            throw TokenizerError.unreadable(file: source, reason: "token \(bad.key.debugDescription) has id \(bad.value), outside 0...\(UInt32.max)")
        }
        if let bad = files.addedTokens.first(where: { $0.id < 0 || $0.id > Int(UInt32.max) }) {
            throw TokenizerError.unreadable(file: source, reason: "added token \(bad.content.debugDescription) has id \(bad.id), outside 0...\(UInt32.max)")
        }
        let maxID = max(files.vocabulary.values.max() ?? -1, files.addedTokens.map(\.id).max() ?? -1)
        vocabularySize = max(maxID + 1, files.vocabulary.count)
    }

    // MARK: - Encoding

    /// Token ids of `text` without `<s>`/`</s>` and without truncation.
    public func tokenize(_ text: String) -> [Int] {
        var ids: [Int] = []
        for piece in splitter.split(text) {
            switch piece {
            case .token(let id):
                ids.append(id)
            case .text(var scalars):
                // The reference prepends the space per piece (`ByteLevel.pre_tokenize` runs on every
                // split left by the added-token extraction), and only tests for U+0020.
                if addPrefixSpace && scalars.first != " " { scalars.insert(" ", at: 0) }
                for range in GPT2PreTokenizer.split(scalars) {
                    var word: [UInt8] = []
                    for s in scalars[range] { UTF8.encode(s) { word.append($0) } }
                    ids.append(contentsOf: bpe.encode(word: word))
                }
            }
        }
        return ids
    }

    /// Encodes one text.
    /// - Parameters:
    ///   - addSpecialTokens: frame as the post-processor does (`<s> ... </s>` for RoBERTa).
    ///   - maxLength: truncate the content so that the result (special tokens included) has at most
    ///     this many ids; `nil` uses `modelMaxLength` when `truncation` is true.
    ///   - truncation: whether to truncate at all (transformers' `truncation=True`).
    public func encode(_ text: String, addSpecialTokens: Bool = true, truncation: Bool = false,
                       maxLength: Int? = nil) -> Encoding {
        var content = tokenize(text)
        let limit = maxLength ?? (truncation ? modelMaxLength : nil)
        if let limit {
            let room = max(0, limit - (addSpecialTokens ? prefixIDs.count + suffixIDs.count : 0))
            if content.count > room { content.removeLast(content.count - room) }
        }
        let ids = addSpecialTokens ? prefixIDs + content + suffixIDs : content
        return Encoding(ids: ids, tokens: ids.map { token(forID: $0) ?? "" },
                        attentionMask: [Int](repeating: 1, count: ids.count))
    }

    /// Encodes several texts and right-pads them with `<pad>` to the longest, rounded up to a
    /// multiple of `padToMultipleOf` (transformers' `padding=True, pad_to_multiple_of=`).
    /// Truncation to `modelMaxLength` is on by default, as fill-mask needs.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true, truncation: Bool = true,
                            maxLength: Int? = nil, padToMultipleOf: Int? = nil) -> BatchEncoding {
        let encodings = texts.map { encode($0, addSpecialTokens: addSpecialTokens, truncation: truncation, maxLength: maxLength) }
        return BatchEncoding(padding: encodings, padID: padTokenID, padToken: token(forID: padTokenID) ?? "<pad>",
                             toMultipleOf: padToMultipleOf)
    }

    // MARK: - Vocabulary

    /// The vocabulary string of an id (added tokens first), e.g. `Ġthe`; nil if out of range.
    public func token(forID id: Int) -> String? {
        addedByID[id]?.content ?? bpe.tokenForID[id]
    }

    /// The id of a vocabulary string (byte-level form) or an added token.
    public func id(forToken token: String) -> Int? {
        addedIDByContent[token] ?? bpe.vocabulary[token]
    }

    /// Whether `id` is a special token (dropped by `decode(skipSpecialTokens: true)`).
    public func isSpecial(_ id: Int) -> Bool { specialIDs.contains(id) }

    // MARK: - Decoding

    /// Text of some ids, as transformers' `tokenizer.decode`: byte-level tokens back to bytes
    /// (a token with a character outside the byte alphabet, e.g. an added token, contributes its
    /// UTF-8 as is), invalid UTF-8 replaced by U+FFFD, then `clean_up_tokenization` if enabled.
    /// Unknown ids are skipped, as the reference does.
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool? = nil) -> String {
        var bytes: [UInt8] = []
        for id in ids {
            if skipSpecialTokens && specialIDs.contains(id) { continue }
            guard let token = token(forID: id) else { continue }
            var tokenBytes: [UInt8] = []
            var allMapped = true
            for s in token.unicodeScalars {
                guard let b = ByteLevelAlphabet.byteForScalar[s] else { allMapped = false; break }
                tokenBytes.append(b)
            }
            bytes.append(contentsOf: allMapped ? tokenBytes : Array(token.utf8))
        }
        let text = String(decoding: bytes, as: UTF8.self)
        return (cleanUpTokenizationSpaces ?? self.cleanUpTokenizationSpaces) ? Self.cleanUp(text) : text
    }

    /// Text of a single id (fill-mask's `token_str`).
    public func decode(_ id: Int) -> String { decode([id]) }

    /// transformers' `clean_up_tokenization`: removes the space before some punctuation and English
    /// contractions, in this order.
    public static func cleanUp(_ text: String) -> String { TokenizationCleanUp.transformers(text) }
}
