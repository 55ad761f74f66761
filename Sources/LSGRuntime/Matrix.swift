// Owned row-major Float32 storage for activations.

/// A row-major `[rows, cols]` Float32 matrix with 64-byte aligned storage, zero-initialised.
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    /// `rows * cols` values, row-major.
    public let data: UnsafeMutablePointer<Float>

    public init(rows: Int, cols: Int) {
        self.rows = rows
        self.cols = cols
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * cols) * 4, alignment: 64)
        data = raw.initializeMemory(as: Float.self, repeating: 0, count: max(1, rows * cols))
    }

    deinit { data.deallocate() }

    /// Start of row `i`.
    @inline(__always)
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { data + i * cols }

    /// The values as an array (row-major).
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: rows * cols)) }
}
