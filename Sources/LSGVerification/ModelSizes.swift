/// The sizes config.json declares, which fix every tensor shape.
public struct ModelSizes: Sendable, Equatable {
    public var vocab: Int
    public var hidden: Int
    public var layers: Int
    public var heads: Int
    public var intermediate: Int
    /// `max_position_embeddings` (L + 2 for RoBERTa).
    public var positions: Int
    public var typeVocab: Int
    /// `id2label` count, else `num_labels`, else 2 (transformers' PretrainedConfig default).
    public var numLabels: Int

    public init(vocab: Int, hidden: Int, layers: Int, heads: Int, intermediate: Int, positions: Int,
                typeVocab: Int, numLabels: Int) {
        self.vocab = vocab
        self.hidden = hidden
        self.layers = layers
        self.heads = heads
        self.intermediate = intermediate
        self.positions = positions
        self.typeVocab = typeVocab
        self.numLabels = numLabels
    }
}
