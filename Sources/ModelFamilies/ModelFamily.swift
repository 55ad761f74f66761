import CheckpointIO

/// One encoder family the conversion, the runtime, `verify` and the tokenizer choice all consult:
/// class names, weight names, position offset, config defaults and the remote-code module. Adding
/// a family is one entry in ``all`` (see `ModelFamily+Entries.swift`) plus its tests; no other
/// code names families.
public struct ModelFamily: Sendable, Equatable {
    /// config.json `model_type`.
    public let modelType: String
    /// The Hugging Face class-name stem: `Roberta` in `RobertaForMaskedLM`.
    public let classStem: String
    /// Prefix of the backbone weights in every head class (`base_model_prefix + "."`: `roberta.`,
    /// `bert.`); the bare model class stores them unprefixed.
    public let backbonePrefix: String
    /// Rows before position 0 in `embeddings.position_embeddings` (RoBERTa numbers positions from
    /// `padding_idx + 1 = 2`; BERT from 0). Non-zero also means position ids come from the input ids
    /// (`create_position_ids_from_input_ids`); zero means `arange(length)`.
    public let positionOffset: Int
    /// The reference's remote-code module for this family, without `.py` (`modeling_lsg_bert`).
    public let modelingModule: String
    /// Where that module sits inside the `lsg_converter` package.
    public let packageDirectory: String
    /// The classes the reference converts to, in its table's order.
    public let heads: [FamilyHead]
    /// The head chosen when the source config has no `architectures` (reference `_DEFAULT_ARCHITECTURE_TYPE`).
    public let defaultHead: TaskHead
    /// The masked-LM layer's weight names.
    public let languageModel: LanguageModelHeadNames
    /// The next-sentence Linear `[2, D]` of the pre-training head (BERT `cls.seq_relationship`), if any.
    public let nextSentence: String?
    /// The sequence-classification head's layout.
    public let sequenceClassifier: SequenceClassifierLayout
    /// Defaults of the family's config class for the keys `save_pretrained` always writes (a source
    /// config that omits them gets them back, as the reference's load + save does).
    public let configDefaults: [(String, JSONValue)]
    /// The tokenizer algorithm its checkpoints ship.
    public let tokenizer: TokenizerKind
    /// Whether the reference adds `token_type_embeddings[0]` to the global rows (`use_token_ids=True`
    /// is honoured by BERT's conversion script only).
    public let globalsAddTokenType: Bool

    public static func == (a: ModelFamily, b: ModelFamily) -> Bool { a.modelType == b.modelType }

    /// The family for a config.json `model_type`, or `nil`.
    public static func forModelType(_ type: String) -> ModelFamily? {
        all.first { $0.modelType == type }
    }

    /// Every supported `model_type`, for error messages.
    public static var supportedModelTypes: [String] { all.map(\.modelType) }

    // MARK: - Classes

    /// The entry for a task, or `nil` when the family has no such class.
    public func head(_ task: TaskHead) -> FamilyHead? { heads.first { $0.task == task } }

    /// `<Stem><suffix>`, e.g. `BertLMHeadModel`; `nil` when the family has no such class.
    public func className(_ task: TaskHead) -> String? { head(task).map { classStem + $0.classSuffix } }

    /// `LSG<Stem><suffix>`, e.g. `LSGRobertaForMaskedLM`.
    public func lsgClassName(_ task: TaskHead) -> String {
        "LSG" + (className(task) ?? classStem + task.rawValue)
    }

    /// Parses `RobertaForMaskedLM` or `LSGRobertaForMaskedLM` (the reference's table: every class
    /// name with or without the `LSG` prefix); `nil` for anything else.
    public func task(forClassName name: String) -> TaskHead? {
        var rest = Substring(name)
        if rest.hasPrefix("LSG") { rest = rest.dropFirst(3) }
        guard rest.hasPrefix(classStem) else { return nil }
        let suffix = rest.dropFirst(classStem.count)
        return heads.first { $0.classSuffix == suffix }?.task
    }

    /// Every class name the reference accepts, for error messages.
    public var acceptedClassNames: [String] {
        heads.map { classStem + $0.classSuffix } + heads.map { "LSG" + classStem + $0.classSuffix }
    }

    /// Whether the class for `task` keeps the pooler.
    public func hasPooler(_ task: TaskHead) -> Bool { head(task)?.hasPooler ?? false }

    /// Prefix of the backbone weights for `task`: ``backbonePrefix``, none for the bare model.
    public func backbonePrefix(_ task: TaskHead) -> String { task == .model ? "" : backbonePrefix }

    // MARK: - Weights

    /// The head's own weights (outside the backbone, pooler excluded), as the 4.36 safetensors save
    /// writes them (tied decoder copies omitted).
    /// - Parameters: hidden size `D`, vocabulary `V`, `numLabels` (config `id2label` count, default 2).
    public func headTensors(_ task: TaskHead, hidden D: Int, vocab V: Int, numLabels: Int) -> [HeadTensor] {
        switch task {
        case .model:
            return []
        case .maskedLM, .causalLM:
            return languageModel.tensors(hidden: D, vocab: V)
        case .preTraining:
            var out = languageModel.tensors(hidden: D, vocab: V)
            if let nextSentence {
                out += [HeadTensor(nextSentence + ".weight", [2, D], .normal), HeadTensor(nextSentence + ".bias", [2], .zeros)]
            }
            return out
        case .sequenceClassification:
            switch sequenceClassifier {
            case let .firstTokenMLP(dense, outProjection):
                return [
                    HeadTensor(dense + ".weight", [D, D], .normal), HeadTensor(dense + ".bias", [D], .zeros),
                    HeadTensor(outProjection + ".weight", [numLabels, D], .normal), HeadTensor(outProjection + ".bias", [numLabels], .zeros),
                ]
            case let .pooled(classifier):
                return [HeadTensor(classifier + ".weight", [numLabels, D], .normal), HeadTensor(classifier + ".bias", [numLabels], .zeros)]
            }
        case .tokenClassification:
            return [HeadTensor("classifier.weight", [numLabels, D], .normal), HeadTensor("classifier.bias", [numLabels], .zeros)]
        case .multipleChoice:
            return [HeadTensor("classifier.weight", [1, D], .normal), HeadTensor("classifier.bias", [1], .zeros)]
        case .questionAnswering:
            // <Stem>ForQuestionAnswering: nn.Linear(hidden_size, config.num_labels).
            return [HeadTensor("qa_outputs.weight", [numLabels, D], .normal), HeadTensor("qa_outputs.bias", [numLabels], .zeros)]
        }
    }

    /// The pooler's weights (`pooler.dense`, under the backbone prefix).
    public static func poolerTensors(hidden D: Int) -> [HeadTensor] {
        [HeadTensor("pooler.dense.weight", [D, D], .normal), HeadTensor("pooler.dense.bias", [D], .zeros)]
    }

    /// Tied duplicates a correct checkpoint of `task` may or may not hold (kept by `torch.save`,
    /// dropped by the 4.36 safetensors save), each with the tensor it duplicates (unprefixed
    /// backbone name or head name).
    public func tiedTensors(_ task: TaskHead) -> [(name: String, duplicates: String)] {
        task.hasLanguageModel ? languageModel.tiedTensors : []
    }

    /// Whether an unprefixed name belongs to any task head or the pooler (a conversion may create
    /// it at random when the original has no such tensor).
    public func isHeadOrPooler(_ unprefixed: String) -> Bool {
        var roots = ["classifier.", "qa_outputs.", "pooler.", Self.root(languageModel.dense), Self.root(languageModel.bias)]
        if let nextSentence { roots.append(Self.root(nextSentence)) }
        return roots.contains { unprefixed.hasPrefix($0) }
    }

    /// `cls.predictions.transform.dense` -> `cls.`; `lm_head.bias` -> `lm_head.`.
    private static func root(_ name: String) -> String {
        (name.split(separator: ".").first.map(String.init) ?? name) + "."
    }

    // MARK: - Config

    /// config.json `auto_map` exactly as the reference's `LSG<Stem>Config` and
    /// `register_for_auto_class` write it (its `AUTO_MAP` plus `AutoConfig`), keys sorted as
    /// `save_pretrained` sorts them.
    public var autoMap: JSONValue {
        var pairs: [(String, JSONValue)] = [("AutoConfig", .string("\(modelingModule).LSG\(classStem)Config"))]
        for head in heads {
            if let key = head.autoClass { pairs.append((key, .string("\(modelingModule).\(lsgClassName(head.task))"))) }
        }
        return .object(pairs.sorted { $0.0 < $1.0 })
    }

    /// The `auto_map` keys and the class-name suffix each must end with (for `verify`).
    public var autoMapClasses: [(key: String, suffix: String)] {
        [("AutoConfig", "LSG\(classStem)Config")] + heads.compactMap { h in h.autoClass.map { ($0, lsgClassName(h.task)) } }
    }

    /// The family's default for a config key, if it has one.
    public func configDefault(_ key: String) -> JSONValue? { configDefaults.first { $0.0 == key }?.1 }

    /// The family's slow tokenizer class name, `<Stem>Tokenizer` (`BertTokenizer`...); AutoTokenizer
    /// turns it into the fast class when tokenizer.json is present.
    public var slowTokenizerClass: String { "\(classStem)Tokenizer" }

    /// `lsg_converter/<dir>/<module>.py`, relative to site-packages.
    public var modelingFileRelativePath: String { "lsg_converter/\(packageDirectory)/\(modelingModule).py" }
}
