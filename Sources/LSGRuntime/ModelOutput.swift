// What a forward pass returns.

/// One named output tensor (Float32, row-major).
public struct OutputTensor: Sendable {
    /// `last_hidden_state`, `logits`, `start_logits`, `end_logits`, `pooler_output`.
    public let name: String
    public let shape: [Int]
    public let values: [Float]
}

/// The outputs of ``RuntimeModel/forward(inputIds:shape:attentionMask:lshProjections:)``, in the
/// order the reference returns them.
public struct ModelOutput: Sendable {
    public var tensors: [OutputTensor]

    /// The tensor called `name`, if produced.
    public subscript(_ name: String) -> OutputTensor? { tensors.first { $0.name == name } }

    /// `[batch, length, hidden]`: globals and adaptive padding removed, as the reference returns it.
    public var lastHiddenState: OutputTensor { self["last_hidden_state"]! }
    public var logits: OutputTensor? { self["logits"] }
}
