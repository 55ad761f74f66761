// Random projections for `sparsity_type = "lsh"`.
import Foundation

/// Supplies the Gaussian projection matrices that LSH sparse selection draws on every call
/// (the reference calls `torch.randn(1, h, 1, d, out // 2)` afresh in every layer and forward).
public protocol LSHProjectionSource: AnyObject {
    /// The next projection, `[heads, headDim, hashes]` row-major, in call order.
    func next(heads: Int, headDim: Int, hashes: Int) throws -> [Float]
}

/// Standard normal draws from a seeded generator (xoshiro-style SplitMix64 + Box-Muller).
/// Reproducible run to run, but not torch's generator: LSH outputs match the reference only in
/// distribution unless the projections are injected with ``RecordedLSHProjections``.
public final class SeededLSHProjections: LSHProjectionSource {
    private var state: UInt64

    public init(seed: UInt64 = 0) { state = seed }

    private func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    private func uniform() -> Double { (Double(nextUInt64() >> 11) + 0.5) / 9007199254740992.0 }

    public func next(heads: Int, headDim: Int, hashes: Int) throws -> [Float] {
        let count = heads * headDim * hashes
        var out = [Float](repeating: 0, count: count)
        var i = 0
        while i < count {
            let r = (-2 * log(uniform())).squareRoot()
            let theta = 2 * Double.pi * uniform()
            out[i] = Float(r * cos(theta))
            if i + 1 < count { out[i + 1] = Float(r * sin(theta)) }
            i += 2
        }
        return out
    }
}

/// Projections given in advance, consumed in call order (e.g. the `torch.randn` draws recorded from
/// the reference, to reproduce its LSH output exactly).
public final class RecordedLSHProjections: LSHProjectionSource {
    private var queue: [[Float]]
    private var position = 0

    public init(_ projections: [[Float]]) { queue = projections }

    /// How many projections have not been used.
    public var remaining: Int { queue.count - position }

    public func next(heads: Int, headDim: Int, hashes: Int) throws -> [Float] {
        guard position < queue.count else {
            throw RuntimeError.invalidInput("LSH projection \(position) requested, only \(queue.count) recorded")
        }
        let p = queue[position]
        guard p.count == heads * headDim * hashes else {
            throw RuntimeError.invalidInput("LSH projection \(position) has \(p.count) values, expected [\(heads), \(headDim), \(hashes)]")
        }
        position += 1
        return p
    }
}
