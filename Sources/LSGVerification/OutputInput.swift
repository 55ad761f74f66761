/// One fidelity input: token ids and the positions holding `<mask>` (where top-k is compared).
public struct OutputInput: Sendable, Equatable {
    public var ids: [Int]
    public var maskedPositions: [Int]

    public init(ids: [Int], maskedPositions: [Int]) {
        self.ids = ids
        self.maskedPositions = maskedPositions
    }

    /// A reproducible input of `length` tokens: `<s>`, random ids from `firstOrdinaryID ..< vocab`
    /// (excluding `mask`), `</s>`; every `maskEvery`-th inner position replaced by `mask` when given.
    /// SplitMix64 seeded with `seed`, so the same conversion always sees the same inputs.
    public static func random(length: Int, vocab: Int, bos: Int, eos: Int, mask: Int?, maskEvery: Int = 7,
                              firstOrdinaryID: Int = 4, seed: UInt64 = 123) -> OutputInput {
        precondition(length >= 2 && vocab > firstOrdinaryID + 1)
        var state = seed
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var ids = [bos]
        var masked: [Int] = []
        for position in 1..<(length - 1) {
            if let mask, position % maskEvery == 0 {
                ids.append(mask)
                masked.append(position)
                continue
            }
            var id: Int
            repeat { id = firstOrdinaryID + Int(next() % UInt64(vocab - firstOrdinaryID)) } while id == mask
            ids.append(id)
        }
        ids.append(eos)
        return OutputInput(ids: ids, maskedPositions: masked)
    }
}
