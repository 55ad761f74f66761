/// The strings transformers' fill-mask pipeline shows for one candidate token.
public struct FillMaskText: Equatable, Sendable {
    /// `decode([candidate])`, e.g. `" capital"`.
    public var tokenString: String
    /// The input with the mask replaced by the candidate, padding removed, decoded.
    public var sequence: String
}

extension TextTokenizer {
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
        return FillMaskText(tokenString: decode([candidate], skipSpecialTokens: false, cleanUpTokenizationSpaces: nil),
                            sequence: decode(tokens, skipSpecialTokens: maskCount == 1, cleanUpTokenizationSpaces: nil))
    }
}
