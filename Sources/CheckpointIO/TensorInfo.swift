/// What a checkpoint declares about one tensor: its name, element type and shape.
public struct TensorInfo: Sendable, Hashable {
    /// The tensor's name as stored, e.g. `roberta.embeddings.word_embeddings.weight`.
    public var name: String
    public var dtype: DType
    /// Dimensions, outermost first (row-major / C order). `[]` is a scalar.
    public var shape: [Int]

    public init(name: String, dtype: DType, shape: [Int]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
    }

    /// Number of elements (1 for a scalar). Callers that build a `TensorInfo` from untrusted input
    /// must check the product with ``checkedElementCount(_:)`` first.
    public var elementCount: Int { shape.reduce(1, *) }

    /// Size of the tensor's data in bytes.
    public var byteCount: Int { elementCount * dtype.byteSize }

    /// The product of `shape`, or `nil` when a dimension is negative or the product overflows `Int`.
    public static func checkedElementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            count = product
        }
        return count
    }
}
