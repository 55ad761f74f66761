// A read-only Float32 tensor used by the model: mapped when possible, converted once otherwise.
import CheckpointIO

/// One weight tensor as Float32. F32 tensors that are 4-byte aligned point straight into the mapped
/// checkpoint (no copy); F16/BF16/F64 are widened once at load into owned storage.
public final class Weight: @unchecked Sendable {
    public let name: String
    public let shape: [Int]
    public let pointer: UnsafePointer<Float>
    /// Keeps `pointer` valid (the mapped file, or the converted array).
    private let owner: AnyObject
    /// Give the mapped pages back after each use (``WeightStore/releasesPagesAfterUse``).
    let releasesPagesAfterUse: Bool

    init(data: TensorData, releasesPagesAfterUse: Bool = false) {
        self.releasesPagesAfterUse = releasesPagesAfterUse
        name = data.info.name
        shape = data.info.shape
        if data.info.dtype == .f32, let base = data.bytes.baseAddress, Int(bitPattern: base) % 4 == 0 {
            pointer = base.assumingMemoryBound(to: Float.self)
            owner = data.owner
        } else {
            let converted = Matrix(rows: 1, cols: data.info.elementCount)
            let values = data.floats()
            values.withUnsafeBufferPointer { converted.data.update(from: $0.baseAddress!, count: values.count) }
            pointer = UnsafePointer(converted.data)
            owner = converted
        }
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// Releases the resident pages of elements `range` (default all) when the weight is a view into a
    /// mapped file; a later read faults them back in from the page cache.
    func releasePages(_ range: Range<Int>? = nil) {
        let range = range ?? 0..<count
        MappedPages.release(UnsafeRawBufferPointer(start: pointer + range.lowerBound, count: range.count * 4), owner: owner)
    }

    /// The values as an array (tests, small heads).
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}
