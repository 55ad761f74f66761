/// A token matched in the raw text before pre-tokenization (`<s>`, `<mask>`, user-added tokens),
/// with the matching options of `tokenizers`' `AddedToken`.
public struct AddedToken: Equatable, Sendable {
    /// The token's text, matched literally.
    public var content: String
    /// The id it encodes to.
    public var id: Int
    /// Only match when not inside a word (`\w` before/after is refused).
    public var singleWord: Bool
    /// Swallow the whitespace on its left (RoBERTa's `<mask>`: `"the <mask>"` -> `the`, `<mask>`).
    public var lstrip: Bool
    /// Swallow the whitespace on its right.
    public var rstrip: Bool
    /// Matched against the normalized text (second pass) rather than the raw text (first pass).
    public var normalized: Bool
    /// Special tokens are dropped by `decode(skipSpecialTokens: true)`.
    public var special: Bool

    public init(content: String, id: Int, singleWord: Bool = false, lstrip: Bool = false,
                rstrip: Bool = false, normalized: Bool = true, special: Bool = false) {
        self.content = content
        self.id = id
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
        self.special = special
    }

    /// From a `tokenizer.json` `added_tokens` entry or a `tokenizer_config.json`
    /// `added_tokens_decoder` value (same keys).
    init?(json: [String: Any], id: Int) {
        guard let content = json["content"] as? String else { return nil }
        self.init(content: content, id: id,
                  singleWord: json["single_word"] as? Bool ?? false,
                  lstrip: json["lstrip"] as? Bool ?? false,
                  rstrip: json["rstrip"] as? Bool ?? false,
                  normalized: json["normalized"] as? Bool ?? true,
                  special: json["special"] as? Bool ?? false)
    }
}
