/// The checks `verify` runs, in report order. Raw values are the stable ids used in `--json`.
public enum CheckID: String, Sendable, CaseIterable, Codable {
    /// 1. Every tensor the LSG architecture needs, right shape and dtype, nothing unexpected, finite.
    case structure
    /// 2. Tensors carried over are bit-identical to the original's (after the same dtype rounding).
    case copiedWeights = "copied_weights"
    /// 3a. Position table = original rows tiled to max-len + 2.
    case positionTable = "position_table"
    /// 3b. Global embeddings = the deterministic init (or the random init's invariants).
    case globalEmbeddings = "global_embeddings"
    /// 4. config.json LSG keys valid and consistent with the tensors; tokenizer max length.
    case configTokenizer = "config_tokenizer"
    /// 5a. Dense-path equivalence with the global keys masked out (needs the runtime).
    case outputEquivalence = "output_equivalence"
    /// 5b. Fidelity with global tokens on: cosine / top-k agreement (needs the runtime).
    case outputFidelity = "output_fidelity"
    /// 5c. A max-length input gives finite outputs (needs the runtime).
    case longInput = "long_input"
    /// 6. The modules `auto_map` names are lsg-convert's current modeling files.
    case modelingFiles = "modeling_files"

    /// The number shown in the report ("1", "3a"...).
    public var number: String {
        switch self {
        case .structure: "1"
        case .copiedWeights: "2"
        case .positionTable: "3a"
        case .globalEmbeddings: "3b"
        case .configTokenizer: "4"
        case .outputEquivalence: "5a"
        case .outputFidelity: "5b"
        case .longInput: "5c"
        case .modelingFiles: "6"
        }
    }

    /// Short human name.
    public var title: String {
        switch self {
        case .structure: "structure"
        case .copiedWeights: "copied weights"
        case .positionTable: "position table"
        case .globalEmbeddings: "global embeddings"
        case .configTokenizer: "config & tokenizer"
        case .outputEquivalence: "equivalence (dense)"
        case .outputFidelity: "fidelity (globals on)"
        case .longInput: "long input"
        case .modelingFiles: "modeling files"
        }
    }
}
