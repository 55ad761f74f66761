/// What a model class puts on top of the encoder, independent of the family that names it
/// (`RobertaForCausalLM` and `BertLMHeadModel` are both ``causalLM``).
public enum TaskHead: String, Sendable, CaseIterable, Hashable {
    /// The bare encoder (`RobertaModel`, `BertModel`).
    case model
    /// Masked-LM head plus next-sentence head on the pooler (`BertForPreTraining`).
    case preTraining
    case maskedLM
    /// The masked-LM head used causally (`RobertaForCausalLM`, `BertLMHeadModel`).
    case causalLM
    case sequenceClassification
    case tokenClassification
    case questionAnswering
    case multipleChoice

    /// Whether the head carries the masked-LM prediction layer (fill-mask works on it).
    public var hasLanguageModel: Bool { self == .maskedLM || self == .causalLM || self == .preTraining }
}
