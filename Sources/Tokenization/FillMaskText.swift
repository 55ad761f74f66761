/// The strings transformers' fill-mask pipeline shows for one candidate token
/// (``Tokenizer/fillMaskText(inputIDs:maskPosition:candidate:maskCount:)``).
public struct FillMaskText: Equatable, Sendable {
    /// `decode([candidate])`, e.g. `" capital"`.
    public var tokenString: String
    /// The input with the mask replaced by the candidate, padding removed, decoded.
    public var sequence: String
}
