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
        }
    }
}

/// Outcome of one check.
public enum CheckStatus: String, Sendable, Codable {
    case passed = "pass"
    case failed = "fail"
    /// Not run (e.g. the outputs checks when the runtime is not available); never a failure.
    case skipped = "skip"
}

/// One check's result: a status, the headline figure, a one-line message and, on failure, one line
/// per problem found (tensor names, rows, keys, by how much).
public struct CheckResult: Sendable, Equatable {
    public var id: CheckID
    public var status: CheckStatus
    /// The headline figure as shown in the table, e.g. `"43/43 bit-identical"`, `"max |diff| 0"`.
    public var figure: String
    /// The figure as a number for scripts (max abs difference, count...), when there is one.
    public var value: Double?
    /// One line saying what was checked and the verdict.
    public var message: String
    /// The individual problems (failures) or notes (excluded rows, created tensors...).
    public var problems: [String]
    public var notes: [String]

    public init(id: CheckID, status: CheckStatus, figure: String, value: Double? = nil,
                message: String, problems: [String] = [], notes: [String] = []) {
        self.id = id
        self.status = status
        self.figure = figure
        self.value = value
        self.message = message
        self.problems = problems
        self.notes = notes
    }

    public var passed: Bool { status != .failed }
}
