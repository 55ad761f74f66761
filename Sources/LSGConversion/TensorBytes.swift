import CheckpointIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Byte-level helpers for writing tensors: dtype casts in bounded chunks, Float32 arrays to any
/// float dtype, and giving mapped pages back once a tensor has been copied.
enum TensorBytes {
    /// Elements converted per chunk when casting (256 KiB of F32).
    static let chunkElements = 1 << 16

    /// Writes `data` as `dtype` through `emit`: the bytes themselves when the type is unchanged,
    /// else chunk by chunk through Float32 with round-to-nearest-even (torch's `.to(dtype)`).
    static func write(_ data: TensorData, as dtype: DType, emit: (UnsafeRawBufferPointer) throws -> Void) throws {
        if data.info.dtype == dtype {
            // In 8 MiB pieces, each released once written: resident memory stays bounded even for
            // roberta-base's 154 MB word embeddings.
            let piece = 8 << 20
            var offset = 0
            while offset < data.bytes.count {
                let n = min(piece, data.bytes.count - offset)
                let chunk = UnsafeRawBufferPointer(rebasing: data.bytes[offset..<(offset + n)])
                try emit(chunk)
                releasePages(of: chunk, owner: data.owner)
                offset += n
            }
            return
        }
        let count = data.info.elementCount
        let inSize = data.info.dtype.byteSize
        var floats = [Float](repeating: 0, count: min(count, chunkElements))
        var out = [UInt8](repeating: 0, count: floats.count * dtype.byteSize)
        var start = 0
        while start < count {
            let n = min(chunkElements, count - start)
            let raw = UnsafeRawBufferPointer(rebasing: data.bytes[(start * inSize)..<((start + n) * inSize)])
            floats.withUnsafeMutableBufferPointer { decode(raw, data.info.dtype, into: $0, count: n) }
            try out.withUnsafeMutableBytes { o in
                try floats.withUnsafeBufferPointer { f in
                    encode(UnsafeBufferPointer(rebasing: f[0..<n]), as: dtype, into: o)
                    try emit(UnsafeRawBufferPointer(rebasing: o[0..<(n * dtype.byteSize)]))
                }
            }
            start += n
        }
    }

    /// `count` values of `dtype` from `raw` as Float32.
    static func decode(_ raw: UnsafeRawBufferPointer, _ dtype: DType, into out: UnsafeMutableBufferPointer<Float>, count n: Int) {
        switch dtype {
        case .f32: for i in 0..<n { out[i] = raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self) }
        case .f16: for i in 0..<n { out[i] = HalfPrecision.float(fromFloat16: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .bf16: for i in 0..<n { out[i] = HalfPrecision.float(fromBFloat16: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .f64: for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
        default: preconditionFailure("decode: \(dtype) is not a float type")
        }
    }

    /// Float32 values as `dtype` bytes (RNE for F16/BF16) into `out` (at least count × size bytes).
    static func encode(_ values: UnsafeBufferPointer<Float>, as dtype: DType, into out: UnsafeMutableRawBufferPointer) {
        switch dtype {
        case .f32: for (i, v) in values.enumerated() { out.storeBytes(of: v, toByteOffset: 4 * i, as: Float.self) }
        case .f16: for (i, v) in values.enumerated() { out.storeBytes(of: HalfPrecision.float16(from: v), toByteOffset: 2 * i, as: UInt16.self) }
        case .bf16: for (i, v) in values.enumerated() { out.storeBytes(of: HalfPrecision.bfloat16(from: v), toByteOffset: 2 * i, as: UInt16.self) }
        case .f64: for (i, v) in values.enumerated() { out.storeBytes(of: Double(v), toByteOffset: 8 * i, as: Double.self) }
        default: preconditionFailure("encode: \(dtype) is not a float type")
        }
    }

    /// `values` encoded as `dtype`.
    static func encoded(_ values: [Float], as dtype: DType) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: values.count * dtype.byteSize)
        values.withUnsafeBufferPointer { v in out.withUnsafeMutableBytes { encode(v, as: dtype, into: $0) } }
        return out
    }

    /// The tensor's values as Float32.
    static func floats(_ data: TensorData) -> [Float] { data.floats() }

    /// Drops the pages of a mapped tensor already written, so a conversion's resident memory stays
    /// bounded instead of growing to the model's size (mapped file pages count in RSS). Only for
    /// views into a read-only file mapping (``MappedFile``): those pages are re-read from the file if
    /// touched again. Owned (heap) buffers are left alone.
    static func releasePages(of data: TensorData) {
        releasePages(of: data.bytes, owner: data.owner)
    }

    static func releasePages(of bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        MappedPages.release(bytes, owner: owner)
    }
}
