import Foundation

/// The inputs of the output checks (5a-5c) for one conversion: which lengths run where, and the
/// token ids. Ids come from the model's own tokenizer on a fixed English text when the caller has
/// one for the family (issue 8: "token ids from the tokenizer on a fixed text when a tokenizer
/// exists"; ``FixedTextTokens``), otherwise from
/// ``OutputInput/random(length:vocab:bos:eos:mask:maskEvery:firstOrdinaryID:seed:)``. Every 7th
/// inner position holds `<mask>` for the top-k comparison.
public struct OutputCheckPlan: Sendable {
    /// 5a: lengths short enough for the LSG dense path (t <= 2 * block_size) and for the original.
    public var equivalence: [OutputInput]
    /// 5b: lengths up to the original's maximum.
    public var fidelity: [OutputInput]
    /// 5c: the converted model's maximum length (or longer `--length` values up to it).
    public var long: [OutputInput]
    /// `tokenizer on fixed text` or `random ids (...)`.
    public var idSource: String

    /// The fixed text (repeated as needed) the tokenizer encodes.
    public static let text = """
        Paris is the capital of France. Long documents need long context models: local, sparse and \
        global attention let a transformer read thousands of tokens. The quick brown fox jumps over \
        the lazy dog, and numbers like 1234 or 3.14 appear in text. It's what we'll see, isn't it?
        """

    /// - Parameters:
    ///   - originalMaxLength: the original's max positions minus the 2 offset rows.
    ///   - convertedMaxLength: the converted table's rows minus 2.
    ///   - blockSize: config `block_size` (dense path: t <= 2 * block_size).
    ///   - requested: `--length` values; empty for the defaults.
    ///   - textIds: the fixed ``text`` tokenized without special tokens, when a tokenizer exists
    ///     (`nil`: random ids; `textIdsUnavailable` says why, for the report).
    public static func make(originalMaxLength: Int, convertedMaxLength: Int, blockSize: Int, requested: [Int],
                            textIds: [Int]?, textIdsUnavailable: String = "no tokenizer",
                            vocab: Int, bos: Int, eos: Int, mask: Int?) -> OutputCheckPlan {
        let denseMax = max(2, min(2 * blockSize, originalMaxLength))
        var equivalenceLengths = requested.filter { $0 <= denseMax }
        var fidelityLengths = requested.filter { $0 <= originalMaxLength }
        var longLengths = requested.filter { $0 > originalMaxLength && $0 <= convertedMaxLength }
        if requested.isEmpty {
            equivalenceLengths = Array(Set([min(16, denseMax), denseMax])).sorted()
            fidelityLengths = Array(Set([min(64, originalMaxLength), originalMaxLength])).sorted()
            longLengths = [convertedMaxLength]
        }
        var idSource = "random ids (\(textIdsUnavailable))"
        var make: (Int) -> OutputInput = { length in
            OutputInput.random(length: length, vocab: vocab, bos: bos, eos: eos, mask: mask)
        }
        if let piece = textIds {
            if !piece.isEmpty, piece.allSatisfy({ $0 >= 0 && $0 < vocab }) {
                idSource = "tokenizer on fixed text"
                make = { length in fromText(piece, length: length, bos: bos, eos: eos, mask: mask) }
            } else {
                idSource = "random ids (the tokenizer's ids do not fit the vocabulary of \(vocab))"
            }
        }
        return OutputCheckPlan(equivalence: equivalenceLengths.map(make), fidelity: fidelityLengths.map(make),
                               long: longLengths.map(make), idSource: idSource)
    }

    /// `<s>` + the text's ids repeated to `length - 2` + `</s>`, every `maskEvery`-th inner position
    /// replaced by `mask`.
    static func fromText(_ piece: [Int], length: Int, bos: Int, eos: Int, mask: Int?, maskEvery: Int = 7) -> OutputInput {
        var ids = [bos]
        var masked: [Int] = []
        for position in 1..<max(1, length - 1) {
            if let mask, position % maskEvery == 0 {
                ids.append(mask)
                masked.append(position)
            } else {
                ids.append(piece[(position - 1) % piece.count])
            }
        }
        ids.append(eos)
        return OutputInput(ids: Array(ids.prefix(length)), maskedPositions: masked.filter { $0 < length })
    }
}
