/// The task head of a RoBERTa model class; the target of a conversion is `LSG<Stem><head>`.
/// Raw values are the class-name suffixes (`RobertaForMaskedLM` = stem `Roberta` + `ForMaskedLM`).
public enum TargetHead: String, CaseIterable, Sendable {
    case model = "Model"
    case maskedLM = "ForMaskedLM"
    case causalLM = "ForCausalLM"
    case multipleChoice = "ForMultipleChoice"
    case questionAnswering = "ForQuestionAnswering"
    case sequenceClassification = "ForSequenceClassification"
    case tokenClassification = "ForTokenClassification"

    /// Parses `RobertaForMaskedLM` or `LSGRobertaForMaskedLM` for `family` (the reference's table:
    /// every class name, with or without the `LSG` prefix). `nil` for anything else.
    public init?(architecture: String, family: ModelFamily) {
        var name = Substring(architecture)
        if name.hasPrefix("LSG") { name = name.dropFirst(3) }
        guard name.hasPrefix(family.classStem) else { return nil }
        guard let head = TargetHead(rawValue: String(name.dropFirst(family.classStem.count))) else { return nil }
        self = head
    }

    /// Every name the reference accepts for `family`, for error messages.
    public static func acceptedNames(_ family: ModelFamily) -> [String] {
        allCases.map { family.classStem + $0.rawValue } + allCases.map { "LSG" + family.classStem + $0.rawValue }
    }

    /// Prefix of the backbone weights: `roberta.` for every head class, none for the bare model.
    public var backbonePrefix: String { self == .model ? "" : ModelFamily.backbonePrefix }

    /// Whether the backbone carries `pooler.dense.*`: `LSGRobertaModel` (add_pooling_layer=True) and
    /// `LSGRobertaForMultipleChoice` (builds `LSGRobertaModel(config)`); the other heads pass
    /// add_pooling_layer=False (modeling_lsg_roberta.py).
    public var hasPooler: Bool { self == .model || self == .multipleChoice }

    /// The head's own weights (outside the backbone), as the 4.36 safetensors save writes them: the
    /// tied `lm_head.decoder.{weight,bias}` duplicates of the word embeddings / `lm_head.bias` are
    /// omitted by `save_pretrained` (`_tied_weights_keys`), so they are not part of the output.
    /// - Parameters: hidden size `D`, vocabulary `V`, `numLabels` (config `id2label` count, default 2).
    public func headTensors(hidden D: Int, vocab V: Int, numLabels: Int) -> [HeadTensor] {
        switch self {
        case .model:
            return []
        case .maskedLM, .causalLM:
            return [
                HeadTensor("lm_head.dense.weight", [D, D], .normal),
                HeadTensor("lm_head.dense.bias", [D], .zeros),
                HeadTensor("lm_head.layer_norm.weight", [D], .ones),
                HeadTensor("lm_head.layer_norm.bias", [D], .zeros),
                HeadTensor("lm_head.bias", [V], .zeros),
            ]
        case .sequenceClassification:
            return [
                HeadTensor("classifier.dense.weight", [D, D], .normal),
                HeadTensor("classifier.dense.bias", [D], .zeros),
                HeadTensor("classifier.out_proj.weight", [numLabels, D], .normal),
                HeadTensor("classifier.out_proj.bias", [numLabels], .zeros),
            ]
        case .tokenClassification:
            return [HeadTensor("classifier.weight", [numLabels, D], .normal), HeadTensor("classifier.bias", [numLabels], .zeros)]
        case .multipleChoice:
            return [HeadTensor("classifier.weight", [1, D], .normal), HeadTensor("classifier.bias", [1], .zeros)]
        case .questionAnswering:
            // RobertaForQuestionAnswering: nn.Linear(hidden_size, config.num_labels).
            return [HeadTensor("qa_outputs.weight", [numLabels, D], .normal), HeadTensor("qa_outputs.bias", [numLabels], .zeros)]
        }
    }
}

/// One weight of a task head (or the pooler) and how Hugging Face initialises it when the source
/// does not have it (`RobertaPreTrainedModel._init_weights`: Linear weights normal(0,
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
