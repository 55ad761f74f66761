// What a forward pass returns.

/// One named output tensor (Float32, row-major).
public struct OutputTensor: Sendable {
    /// `last_hidden_state`, `logits`, `start_logits`, `end_logits`, `pooler_output`,
    /// `prediction_logits` and `seq_relationship_logits` (BERT pre-training head).
    public let name: String
    public let shape: [Int]
    /// The values (`shape.reduce(1, *)` of them, row-major) without a copy.
    public let storage: Matrix

    public init(name: String, shape: [Int], storage: Matrix) {
        precondition(storage.rows * storage.cols == shape.reduce(1, *))
        self.name = name
        self.shape = shape
        self.storage = storage
    }

    public init(name: String, shape: [Int], values: [Float]) {
        self.init(name: name, shape: shape, storage: Matrix(rows: 1, cols: values.count, values: values))
    }

    /// A copy of the values as an array.
    public var values: [Float] { storage.toArray() }

    /// The raw little-endian bytes (for writing).
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage.data, count: storage.rows * storage.cols * 4)
    }
}

/// The outputs of ``RuntimeModel/forward(inputIds:shape:attentionMask:lshProjections:)``, in the
/// order the reference returns them.
public struct ModelOutput: Sendable {
    public var tensors: [OutputTensor]

    /// The tensor called `name`, if produced.
    public subscript(_ name: String) -> OutputTensor? { tensors.first { $0.name == name } }

    /// `[batch, length, hidden]`: globals and adaptive padding removed, as the reference returns it.
    public var lastHiddenState: OutputTensor { self["last_hidden_state"]! }
    /// The head's logits: `logits`, or the masked-LM `prediction_logits` of a pre-training head.
    public var logits: OutputTensor? { self["logits"] ?? self["prediction_logits"] }
}
