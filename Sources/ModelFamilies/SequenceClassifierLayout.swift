/// How a family's sequence-classification head reads the encoder output.
public enum SequenceClassifierLayout: Sendable, Equatable {
    /// RoBERTa's `RobertaClassificationHead`: `dense` + tanh + `outProjection` on token 0, no pooler.
    case firstTokenMLP(dense: String, outProjection: String)
    /// BERT: the pooler (`pooler.dense` + tanh on token 0), then one Linear `classifier`.
    case pooled(classifier: String)
}
