/// What `tokenize`, `fill-mask` and `verify` need from a tokenizer, whatever its model (byte-level
/// BPE, SentencePiece Unigram, ...). ``TokenizerLoader`` picks the implementation from the folder.
public protocol Tokenizer: AnyObject, Sendable {
    /// Token ids of `text` without special tokens and without truncation.
    func tokenize(_ text: String) -> [Int]
    /// Text of some ids, as transformers' `tokenizer.decode`; `cleanUp` nil: the tokenizer's default
    /// (`clean_up_tokenization_spaces`). Call it as `decode(_:skipSpecialTokens:cleanUpTokenizationSpaces:)`.
    func decode(ids: [Int], skipSpecialTokens: Bool, cleanUp: Bool?) -> String
    /// The vocabulary string of an id (added tokens first); nil if out of range.
    func token(forID id: Int) -> String?
    /// The id of a vocabulary string or an added token.
    func id(forToken token: String) -> Int?
    /// Whether `id` is a special token (dropped by `decode(skipSpecialTokens: true)`).
    func isSpecial(_ id: Int) -> Bool

    /// Ids put before / after the content when special tokens are added (`[<s>]` / `[</s>]`).
    var prefixIDs: [Int] { get }
    var suffixIDs: [Int] { get }
    var bosTokenID: Int { get }
    var eosTokenID: Int { get }
    var padTokenID: Int { get }
    var maskTokenID: Int { get }
    var unknownTokenID: Int? { get }
    /// `tokenizer_config.json` `model_max_length` (nil when absent or "infinite").
    var modelMaxLength: Int? { get }
    /// Number of ids: model vocabulary plus added tokens beyond it (transformers' `len(tokenizer)`).
    var vocabularySize: Int { get }
}

extension Tokenizer {
    /// Text of some ids, as transformers' `tokenizer.decode` (special tokens kept unless skipped,
    /// clean-up as the tokenizer's `clean_up_tokenization_spaces` unless given).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false, cleanUpTokenizationSpaces: Bool? = nil) -> String {
        decode(ids: ids, skipSpecialTokens: skipSpecialTokens, cleanUp: cleanUpTokenizationSpaces)
    }

    /// Text of a single id (fill-mask's `token_str`).
    public func decode(_ id: Int) -> String { decode([id]) }

    /// Encodes one text.
    /// - Parameters:
    ///   - addSpecialTokens: frame as the post-processor does (`<s> ... </s>`).
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
        return encoding(addSpecialTokens ? prefixIDs + content + suffixIDs : content)
    }

    /// An ``Encoding`` of some ids (tokens looked up, all attended).
    public func encoding(_ ids: [Int]) -> Encoding {
        Encoding(ids: ids, tokens: ids.map { token(forID: $0) ?? "" }, attentionMask: [Int](repeating: 1, count: ids.count))
    }

    /// Encodes several texts and right-pads them with `<pad>` to the longest, rounded up to a
    /// multiple of `padToMultipleOf` (transformers' `padding=True, pad_to_multiple_of=`).
    /// Truncation to `modelMaxLength` is on by default, as fill-mask needs.
    public func encodeBatch(_ texts: [String], addSpecialTokens: Bool = true, truncation: Bool = true,
                            maxLength: Int? = nil, padToMultipleOf: Int? = nil) -> BatchEncoding {
        var encodings = texts.map { encode($0, addSpecialTokens: addSpecialTokens, truncation: truncation, maxLength: maxLength) }
        var length = encodings.map(\.ids.count).max() ?? 0
        if let m = padToMultipleOf, m > 0, length % m != 0 { length += m - length % m }
        let padToken = token(forID: padTokenID) ?? "<pad>"
        for i in encodings.indices {
            let missing = length - encodings[i].ids.count
            if missing > 0 {
                encodings[i].ids += [Int](repeating: padTokenID, count: missing)
                encodings[i].tokens += [String](repeating: padToken, count: missing)
                encodings[i].attentionMask += [Int](repeating: 0, count: missing)
            }
        }
        return BatchEncoding(encodings: encodings)
    }

    /// What `pipeline("fill-mask")` (transformers 4.36 `FillMaskPipeline.postprocess`) prints for
    /// `candidate` at the mask at `maskPosition` of `inputIDs`: the pad ids are dropped, and special
    /// tokens are skipped only when the text has a single mask (with several masks the other
    /// `<mask>` tokens are kept so the sequence stays readable).
    /// - Parameters:
    ///   - inputIDs: the encoded text, `[sequence]` (padding allowed).
    ///   - maskCount: the number of masks in that text.
    public func fillMaskText(inputIDs: [Int], maskPosition: Int, candidate: Int, maskCount: Int) -> FillMaskText {
        var tokens = inputIDs
        tokens[maskPosition] = candidate
        tokens.removeAll { $0 == padTokenID }
        return FillMaskText(tokenString: decode([candidate]),
                            sequence: decode(tokens, skipSpecialTokens: maskCount == 1))
    }
}
