import CheckpointIO

/// A RoBERTa-layout model family the reference converts with the same rules (`roberta`,
/// `xlm-roberta`, `camembert`: identical weight names, position offset 2, `roberta.` prefix); only
/// the class names and the remote-code module differ.
public struct ModelFamily: Sendable, Equatable {
    /// config.json `model_type`.
    public let modelType: String
    /// The Hugging Face class-name stem: `Roberta` in `RobertaForMaskedLM`.
    public let classStem: String
    /// The reference's remote-code module written beside the weights, without `.py`.
    public let modelingModule: String
    /// Where that module sits inside the `lsg_converter` package.
    public let packageDirectory: String
    /// Defaults of the family's config class for keys `save_pretrained` always writes.
    let defaultVocabSize: Int

    public static let roberta = ModelFamily(modelType: "roberta", classStem: "Roberta",
                                            modelingModule: "modeling_lsg_roberta", packageDirectory: "roberta",
                                            defaultVocabSize: 50265)
    public static let xlmRoberta = ModelFamily(modelType: "xlm-roberta", classStem: "XLMRoberta",
                                               modelingModule: "modeling_lsg_xlm_roberta", packageDirectory: "xlm_roberta",
                                               defaultVocabSize: 30522)
    public static let camembert = ModelFamily(modelType: "camembert", classStem: "Camembert",
                                              modelingModule: "modeling_lsg_camembert", packageDirectory: "camembert",
                                              defaultVocabSize: 30522)
    public static let all: [ModelFamily] = [.roberta, .xlmRoberta, .camembert]

    /// The family for a config.json `model_type`, or `nil`.
    public static func forModelType(_ type: String) -> ModelFamily? {
        all.first { $0.modelType == type }
    }

    /// Backbone weights sit under this prefix in every head class (`base_model_prefix = "roberta"` in
    /// `RobertaPreTrainedModel`, `XLMRobertaPreTrainedModel` and `CamembertPreTrainedModel`).
    public static let backbonePrefix = "roberta."

    /// Path of the remote-code file relative to site-packages.
    public var modelingFileRelativePath: String { "lsg_converter/\(packageDirectory)/\(modelingModule).py" }

    /// The `LSG` class name for a head, e.g. `LSGRobertaForMaskedLM`.
    public func lsgClassName(_ head: TargetHead) -> String { "LSG\(classStem)\(head.rawValue)" }

    /// config.json `auto_map` exactly as `LSGRobertaConfig` and `register_for_auto_class` write it
    /// (reference `AUTO_MAP` plus `AutoConfig`), keys sorted as `save_pretrained` sorts them.
    public var autoMap: JSONValue {
        let heads: [(String, TargetHead)] = [
            ("AutoModel", .model), ("AutoModelForCausalLM", .causalLM), ("AutoModelForMaskedLM", .maskedLM),
            ("AutoModelForMultipleChoice", .multipleChoice), ("AutoModelForQuestionAnswering", .questionAnswering),
            ("AutoModelForSequenceClassification", .sequenceClassification),
            ("AutoModelForTokenClassification", .tokenClassification),
        ]
        var pairs: [(String, JSONValue)] = [("AutoConfig", .string("\(modelingModule).LSG\(classStem)Config"))]
        for (key, head) in heads { pairs.append((key, .string("\(modelingModule).\(lsgClassName(head))"))) }
        return .object(pairs)
    }
}
