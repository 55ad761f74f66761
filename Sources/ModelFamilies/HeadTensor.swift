/// One weight of a task head (or the pooler) and how Hugging Face initialises it when the source
/// does not have it (`<Family>PreTrainedModel._init_weights`: Linear weights normal(0,
/// initializer_range), biases 0, LayerNorm weight 1 and bias 0).
public struct HeadTensor: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var initializer: NewTensorInit

    public init(_ name: String, _ shape: [Int], _ initializer: NewTensorInit) {
        self.name = name
        self.shape = shape
        self.initializer = initializer
    }
}

/// How a tensor the source lacks is created.
public enum NewTensorInit: Sendable, Equatable {
    /// normal(0, initializer_range), seeded.
    case normal
    case zeros
    case ones
}
