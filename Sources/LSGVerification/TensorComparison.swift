import CheckpointIO
import Foundation

/// Element-exact comparison of a stored tensor with expected values, in the stored dtype.
///
/// Expected values are computed in Float32 (as the reference does for an f32 source) and rounded to
/// the stored dtype the way torch casts (round to nearest even, ``HalfPrecision``); equality is on
/// the bit patterns, so "equal" means bit-identical, and -0/+0 or two NaN payloads count as different.
public enum TensorComparison {
    /// The bit pattern `value` has once stored as `dtype` (F32, F16 or BF16; F64 widens exactly).
    @inlinable
    public static func storedBits(_ value: Float, as dtype: DType) -> UInt64 {
        switch dtype {
        case .bf16: UInt64(HalfPrecision.bfloat16(from: value))
        case .f16: UInt64(HalfPrecision.float16(from: value))
        case .f64: Double(value).bitPattern
        default: UInt64(value.bitPattern)
        }
    }

    /// The raw bits of element `i` of `data` (floating dtypes).
    @inlinable
    public static func rawBits(_ data: TensorData, _ i: Int) -> UInt64 {
        switch data.info.dtype {
        case .bf16, .f16: UInt64(data.bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
        case .f64: data.bytes.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)
        default: UInt64(data.bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
        }
    }

    /// Compares `stored` (any floating dtype) with `expected` (Float32, same element count) rounded
    /// to `stored`'s dtype. Only elements in `range` (default all) are compared; with a `rowLength`,
    /// the rows that differ are counted too.
    public static func compare(stored: TensorData, expected: UnsafeBufferPointer<Float>,
                               range: Range<Int>? = nil, rowLength: Int = 0) -> TensorDifference {
        precondition(expected.count == stored.info.elementCount, "compare: element counts differ")
        let dtype = stored.info.dtype
        var result = TensorDifference.none
        var lastRow = -1
        for i in range ?? 0..<expected.count where rawBits(stored, i) != storedBits(expected[i], as: dtype) {
            result.differingElements += 1
            if rowLength > 0, i / rowLength != lastRow {
                lastRow = i / rowLength
                result.differingRows += 1
            }
            if result.firstDifferingIndex == nil { result.firstDifferingIndex = i }
            let diff = abs(Double(value(stored, i)) - Double(decoded(expected[i], as: dtype)))
            result.maxAbsDifference = max(result.maxAbsDifference, diff.isNaN ? .infinity : Float(diff))
        }
        return result
    }

    /// Compares a copied tensor with its original: byte equality when the dtypes agree, else the
    /// original's values rounded to the stored dtype. Shapes must already agree.
    ///
    /// Both tensors are read in ``MappedPages/chunkBytes`` chunks and the chunks' mapped pages given
    /// back as they are compared, so checking a whole model keeps two chunks resident, not the
    /// original and the converted model (issue 14).
    public static func compareCopied(stored: TensorData, original: TensorData) -> TensorDifference {
        if stored.info.dtype == original.info.dtype, stored.bytes.count == original.bytes.count {
            var equal = true
            MappedPages.forEachChunk(stored.bytes, owner: stored.owner) { piece, offset in
                let other = UnsafeRawBufferPointer(rebasing: original.bytes[offset..<(offset + piece.count)])
                equal = memcmp(piece.baseAddress!, other.baseAddress!, piece.count) == 0
                MappedPages.release(other, owner: original.owner)
                return equal
            }
            if equal { return .none }
        }
        let expected = original.floats()
        original.releaseMappedPages()
        let difference = expected.withUnsafeBufferPointer { compare(stored: stored, expected: $0) }
        stored.releaseMappedPages()
        return difference
    }

    /// Element `i` of a floating tensor as a Float.
    @inlinable
    public static func value(_ data: TensorData, _ i: Int) -> Float {
        let bits = rawBits(data, i)
        switch data.info.dtype {
        case .bf16: return HalfPrecision.float(fromBFloat16: UInt16(bits))
        case .f16: return HalfPrecision.float(fromFloat16: UInt16(bits))
        case .f64: return Float(Double(bitPattern: bits))
        default: return Float(bitPattern: UInt32(bits))
        }
    }

    /// `value` as it reads back after storing it as `dtype`.
    @inlinable
    public static func decoded(_ value: Float, as dtype: DType) -> Float {
        switch dtype {
        case .bf16: HalfPrecision.float(fromBFloat16: HalfPrecision.bfloat16(from: value))
        case .f16: HalfPrecision.float(fromFloat16: HalfPrecision.float16(from: value))
        default: value
        }
    }

    /// Counts NaN and infinite elements of a floating tensor.
    /// F32 tensors are scanned on their bit patterns (exponent all ones), chunk by chunk, each chunk's
    /// mapped pages released after it (see ``compareCopied(stored:original:)``).
    public static func nonFiniteCount(_ data: TensorData) -> Int {
        guard data.info.dtype.isFloatingPoint else { return 0 }
        guard data.info.dtype == .f32, let base = data.bytes.baseAddress, Int(bitPattern: base) % 4 == 0 else {
            let count = data.withFloats { values in values.reduce(0) { $0 + ($1.isFinite ? 0 : 1) } }
            data.releaseMappedPages()
            return count
        }
        var count = 0
        MappedPages.forEachChunk(data.bytes, owner: data.owner, alignment: 4) { piece, _ in
            count += nonFiniteWords(piece.baseAddress!.assumingMemoryBound(to: UInt32.self), count: piece.count / 4)
            return true
        }
        return count
    }

    /// F32 words whose exponent bits are all ones (NaN or infinity), 64 at a time in `SIMD16` lanes:
    /// the scalar loop ran at ~2 GB/s (issue 14's profile: 8 % of the default `convert`).
    static func nonFiniteWords(_ words: UnsafePointer<UInt32>, count: Int) -> Int {
        let exponent = SIMD16<UInt32>(repeating: 0x7f80_0000)
        var lanes = SIMD16<UInt32>()
        var i = 0
        @inline(__always) func load(_ offset: Int) -> SIMD16<UInt32> {
            UnsafeRawPointer(words + offset).loadUnaligned(as: SIMD16<UInt32>.self)
        }
        // 1 where the exponent is all ones: (v & exponent) + 2^23 reaches bit 31 only then.
        @inline(__always) func flags(_ v: SIMD16<UInt32>) -> SIMD16<UInt32> {
            ((v & exponent) &+ 0x0080_0000) &>> 31
        }
        var total = 0
        while i + 64 <= count {
            lanes &+= flags(load(i)) &+ flags(load(i + 16)) &+ flags(load(i + 32)) &+ flags(load(i + 48))
            i += 64
            // Lanes gain at most 4 per step: flush long before UInt32 could wrap.
            if i & ((1 << 26) - 1) == 0 { total += Int(lanes.wrappedSum()); lanes = SIMD16<UInt32>() }
        }
        total += Int(lanes.wrappedSum())
        while i < count {
            total += (words[i] & 0x7f80_0000) == 0x7f80_0000 ? 1 : 0
            i += 1
        }
        return total
    }
}
