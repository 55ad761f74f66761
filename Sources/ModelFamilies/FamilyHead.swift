/// One model class of a family: its task head, the class-name suffix (`ForMaskedLM`,
/// `LMHeadModel`) and whether its backbone keeps the pooler.
public struct FamilyHead: Sendable, Equatable {
    public var task: TaskHead
    /// `RobertaForMaskedLM` = stem `Roberta` + suffix `ForMaskedLM`.
    public var classSuffix: String
    /// Whether the class builds its backbone with `add_pooling_layer=True` (`pooler.dense.*`).
    public var hasPooler: Bool
    /// The `auto_map` key the reference registers the LSG class under, if any.
    public var autoClass: String?
    /// Whether transformers 4.36 `can_generate()` is true for the class (it defines
    /// `prepare_inputs_for_generation`), so `save_pretrained` also writes `generation_config.json`.
    public var canGenerate: Bool

    public init(_ task: TaskHead, _ classSuffix: String, pooler: Bool, autoClass: String?, canGenerate: Bool = false) {
        self.task = task
        self.classSuffix = classSuffix
        self.hasPooler = pooler
        self.autoClass = autoClass
        self.canGenerate = canGenerate
    }
}
