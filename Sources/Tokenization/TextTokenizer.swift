import Foundation

/// What the commands need from a tokenizer, whatever its model (byte-level BPE, WordPiece).
public protocol TextTokenizer: AnyObject, Sendable {
    /// `tokenizer_config.json` `model_max_length` (nil when absent or "infinite").
    var modelMaxLength: Int? { get }
    /// Number of ids (transformers' `len(tokenizer)`).
    var vocabularySize: Int { get }
    var padTokenID: Int { get }
    var maskTokenID: Int { get }
    /// The mask token's text (`<mask>`, `[MASK]`), as users type it.
    var maskToken: String { get }
    /// Whether the model takes `token_type_ids` (transformers' `model_input_names` has them: BERT).
    var returnsTokenTypeIDs: Bool { get }

    /// One text; `truncation` is `longest_first` to `maxLength`, else to `modelMaxLength`.
    func encode(_ text: String, addSpecialTokens: Bool, truncation: Bool, maxLength: Int?) -> Encoding
    /// A text or a text pair with a truncation strategy.
    func encode(_ text: String, pair: String?, addSpecialTokens: Bool, truncation: TruncationStrategy?,
                maxLength: Int?) throws -> Encoding
    func decode(_ ids: [Int], skipSpecialTokens: Bool, cleanUpTokenizationSpaces: Bool?) -> String
    func token(forID id: Int) -> String?
    func id(forToken token: String) -> Int?
    func isSpecial(_ id: Int) -> Bool
}

extension WordPieceTokenizer: TextTokenizer {
    public var returnsTokenTypeIDs: Bool { true }
}

extension RobertaTokenizer: TextTokenizer {
    public var maskToken: String { token(forID: maskTokenID) ?? "<mask>" }
    public var returnsTokenTypeIDs: Bool { false }

    /// Single texts only: RoBERTa's pair framing (`<s> A </s></s> B </s>`) is not implemented.
    public func encode(_ text: String, pair: String?, addSpecialTokens: Bool, truncation: TruncationStrategy?,
                       maxLength: Int?) throws -> Encoding {
        if pair != nil { throw TokenizerError.unsupportedRequest("text pairs are only implemented for WordPiece (BERT) tokenizers") }
        if truncation == .onlySecond { throw TokenizerError.truncation("only_second needs a second sequence") }
        return encode(text, addSpecialTokens: addSpecialTokens, truncation: truncation != nil, maxLength: maxLength)
    }
}
