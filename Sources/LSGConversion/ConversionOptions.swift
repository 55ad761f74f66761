import CheckpointIO

/// Everything a conversion can be asked to do, with the reference's defaults
/// (`lsg-converter` 0.1.9 CLI, reference §1). LSG attention settings left `nil` keep the source's
/// value when it already is an LSG model, else take the `LSGRobertaConfig` default.
public struct ConversionOptions: Sendable {
    /// New maximum sequence length `L`, counted without RoBERTa's 2 offset positions.
    public var maxLength: Int = 4096
    /// Target class (`RobertaForSequenceClassification`, `LSGRobertaModel`...). `nil`: the source's
    /// `architectures[0]`, else `<Stem>ForMaskedLM`.
    public var architecture: String?

    // LSG config keys (LSGRobertaConfig); `nil` = keep the source's or the default.
    public var blockSize: Int?
    public var sparseBlockSize: Int?
    public var sparsityFactor: Int?
    /// `none`, `norm`, `pooling`, `lsh`, `stride`, `block_stride`, `bos_pooling`.
    public var sparsityType: String?
    public var numGlobalTokens: Int?
    public var maskFirstToken: Bool?
    public var poolWithGlobal: Bool?
    public var adaptive: Bool?
    public var lshNumPreRounds: Int?

    /// Position stride between consecutive global tokens (§5a).
    public var globalPositionalStride: Int = 64
    /// Sample the global embeddings from the word embeddings' distribution (§5c) instead of §5b.
    public var randomGlobalInit = false
    /// LSG sources only: keep row 0 of the existing global table (§5d).
    public var keepFirstGlobalToken = false
    /// LSG sources only: leave the global table alone and only re-tile positions (§5d).
    public var resizeLSG = false
    /// Seeds every random draw (new head weights, random global rows). The reference's draws come
    /// from torch's RNG and match only in distribution.
    public var seed: UInt64 = 123
    /// Other config keys (`--set KEY=VALUE`), applied like the reference's `model_kwargs`.
    public var configOverrides: [(key: String, value: JSONValue)] = []
    /// Element type of the output's floating-point tensors.
    public var outputDType: OutputDType = .keep
    /// Written to config.json `_name_or_path` (the reference writes its `--model_name`, the output path).
    public var nameOrPath: String?

    public init() {}
}

/// `--dtype`: keep each tensor's stored type, or cast every floating-point tensor.
public enum OutputDType: String, Sendable, CaseIterable {
    case keep, f32, f16, bf16

    /// The cast target, `nil` for `keep`.
    public var dtype: DType? {
        switch self {
        case .keep: nil
        case .f32: .f32
        case .f16: .f16
        case .bf16: .bf16
        }
    }
}
