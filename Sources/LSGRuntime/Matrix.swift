// Owned row-major Float32 storage for activations.

/// A row-major `[rows, cols]` Float32 matrix with 64-byte aligned storage.
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    /// `rows * cols` values, row-major.
    public let data: UnsafeMutablePointer<Float>

    /// - Parameter zeroed: fill with zeros (skip for outputs a kernel overwrites entirely).
    public init(rows: Int, cols: Int, zeroed: Bool = true) {
        self.rows = rows
        self.cols = cols
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(1, rows * cols) * 4, alignment: 64)
        if zeroed {
            data = raw.initializeMemory(as: Float.self, repeating: 0, count: max(1, rows * cols))
        } else {
            data = raw.bindMemory(to: Float.self, capacity: max(1, rows * cols))
        }
    }

    /// A matrix holding a copy of `values` (`rows * cols` of them).
    public convenience init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols)
        self.init(rows: rows, cols: cols, zeroed: false)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { data.deallocate() }

    /// Start of row `i`.
    @inline(__always)
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { data + i * cols }

    /// The values as an array (row-major).
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: rows * cols)) }
}
