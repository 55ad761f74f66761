/// One tensor's bytes, little-endian and C-contiguous, as a view into storage kept alive by `owner`
/// (a ``MappedFile`` for zero-copy reads, or an owned buffer for inflated or converted data).
public struct TensorData: @unchecked Sendable {
    public let info: TensorInfo
    /// Exactly `info.byteCount` bytes.
    public let bytes: UnsafeRawBufferPointer
    /// Keeps `bytes` valid.
    public let owner: AnyObject

    public init(info: TensorInfo, bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        precondition(bytes.count == info.byteCount, "TensorData: \(bytes.count) bytes for \(info.byteCount)")
        self.info = info
        self.bytes = bytes
        self.owner = owner
    }

    /// Builds a tensor that owns a copy of `values` (F32).
    public init(name: String, shape: [Int], floats values: [Float]) {
        let buffer = OwnedBytes(copying: values)
        self.init(info: TensorInfo(name: name, dtype: .f32, shape: shape), bytes: buffer.bytes, owner: buffer)
    }

    /// The values converted to `Float` ([elementCount], row-major). F32 is copied, F16/BF16 widened
    /// exactly, F64 rounded, integers and BOOL converted.
    public func floats() -> [Float] {
        let n = info.elementCount
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            let raw = bytes
            switch info.dtype {
            case .f32:
                if n > 0 { memcpyBytes(UnsafeMutableRawPointer(out.baseAddress!), raw.baseAddress!, n * 4) }
            case .f16:
                for i in 0..<n { out[i] = HalfPrecision.float(fromFloat16: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
            case .bf16:
                for i in 0..<n { out[i] = HalfPrecision.float(fromBFloat16: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
            case .f64:
                for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: Double.self)) }
            case .i64:
                for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)) }
            case .i32:
                for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)) }
            case .i16:
                for i in 0..<n { out[i] = Float(raw.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)) }
            case .i8:
                for i in 0..<n { out[i] = Float(raw.load(fromByteOffset: i, as: Int8.self)) }
            case .u8, .bool:
                for i in 0..<n { out[i] = Float(raw.load(fromByteOffset: i, as: UInt8.self)) }
            }
            initialized = n
        }
    }

    /// The values as `Int64` for integer and BOOL tensors (input ids, masks, buffers); `nil` for floats.
    public func int64s() -> [Int64]? {
        let n = info.elementCount
        let raw = bytes
        switch info.dtype {
        case .i64: return (0..<n).map { raw.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self) }
        case .i32: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        case .i16: return (0..<n).map { Int64(raw.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self)) }
        case .i8: return (0..<n).map { Int64(raw.load(fromByteOffset: $0, as: Int8.self)) }
        case .u8, .bool: return (0..<n).map { Int64(raw.load(fromByteOffset: $0, as: UInt8.self)) }
        default: return nil
        }
    }

    /// Calls `body` with the data as `Float`s: zero-copy when the tensor is F32 and 4-byte aligned
    /// (mapped safetensors and torch zip entries are), otherwise on a converted copy.
    public func withFloats<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        if info.dtype == .f32, let base = bytes.baseAddress, Int(bitPattern: base) % 4 == 0 {
            return try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: info.elementCount))
        }
        let copy = floats()
        return try copy.withUnsafeBufferPointer(body)
    }
}

/// A heap buffer that owns its bytes (for tensors that are not views into a mapped file).
public final class OwnedBytes: @unchecked Sendable {
    public let bytes: UnsafeRawBufferPointer
    private let storage: UnsafeMutableRawBufferPointer

    /// Allocates `count` zeroed bytes, 64-byte aligned.
    public init(count: Int) {
        storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 64)
        storage.initializeMemory(as: UInt8.self, repeating: 0)
        bytes = UnsafeRawBufferPointer(rebasing: storage[0..<count])
    }

    public convenience init<T>(copying values: [T]) {
        let n = values.count * MemoryLayout<T>.stride
        self.init(count: n)
        values.withUnsafeBytes { src in
            if n > 0 { memcpyBytes(storage.baseAddress!, src.baseAddress!, n) }
        }
    }

    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(count: source.count)
        if source.count > 0 { memcpyBytes(storage.baseAddress!, source.baseAddress!, source.count) }
    }

    /// Writable access for code that fills the buffer after allocation.
    public var mutableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(rebasing: storage[0..<bytes.count])
    }

    deinit { storage.deallocate() }
}

@inline(__always)
func memcpyBytes(_ dst: UnsafeMutableRawPointer, _ src: UnsafeRawPointer, _ count: Int) {
    dst.copyMemory(from: src, byteCount: count)
}
