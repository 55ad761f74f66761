/// A deterministic, platform-independent source of normal(0, 1) samples: xoshiro256** seeded through
/// SplitMix64, Box–Muller on 53-bit uniforms. Each named stream (`"lm_head.dense.weight"`,
/// `"global-rows"`) gets its own state derived from (seed, name), so adding or reordering draws in one
/// place never changes the values drawn in another.
///
/// The reference draws from torch's global generator after `transformers.set_seed(seed)`; those
/// values cannot be reproduced without torch, so random parts match the reference in distribution only.
public struct SeededGaussian: Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64
    private var spare: Double?

    public init(seed: UInt64, stream: String) {
        // FNV-1a of the stream name, mixed with the seed.
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in stream.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        var x = seed ^ h
        func splitmix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitmix(&x); s1 = splitmix(&x); s2 = splitmix(&x); s3 = splitmix(&x)
    }

    /// The next 64 random bits (xoshiro256**).
    public mutating func nextBits() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// Uniform in the open interval (0, 1).
    public mutating func nextUniform() -> Double {
        (Double(nextBits() >> 11) + 0.5) * 0x1.0p-53
    }

    /// A standard normal sample.
    public mutating func next() -> Double {
        if let value = spare {
            spare = nil
            return value
        }
        let u1 = nextUniform(), u2 = nextUniform()
        let radius = (-2 * _log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        spare = radius * _sin(angle)
        return radius * _cos(angle)
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) private func _log(_ x: Double) -> Double { Glibc.log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Glibc.sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Glibc.cos(x) }
#else
import Darwin
@inline(__always) private func _log(_ x: Double) -> Double { Darwin.log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { Darwin.sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { Darwin.cos(x) }
#endif
