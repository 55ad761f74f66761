/// Conversions between `Float` and the 16-bit float formats, bit-exact with PyTorch.
public enum HalfPrecision {
    /// bfloat16 is the top 16 bits of an IEEE binary32.
    @inlinable
    public static func float(fromBFloat16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// Rounds to nearest, ties to even, like `torch.Tensor.to(torch.bfloat16)` (c10/util/BFloat16.h
    /// `round_to_nearest_even`); NaN stays a quiet NaN.
    @inlinable
    public static func bfloat16(from value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let u = value.bitPattern
        let rounded = u &+ 0x7FFF &+ ((u >> 16) & 1)
        return UInt16(truncatingIfNeeded: rounded >> 16)
    }

    /// IEEE binary16 to Float (exact).
    @inlinable
    public static func float(fromFloat16 bits: UInt16) -> Float {
        Float(Float16(bitPattern: bits))
    }

    /// Float to IEEE binary16, round to nearest even (Swift's conversion, same as torch).
    @inlinable
    public static func float16(from value: Float) -> UInt16 {
        Float16(value).bitPattern
    }
}
