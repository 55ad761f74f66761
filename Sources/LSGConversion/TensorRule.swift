import ModelFamilies

/// How one output tensor is produced (shown by `--dry-run`).
public enum TensorRule: Sendable, Equatable {
    /// The source tensor of the same name, bytes unchanged (or cast with `--dtype`).
    case copied(from: String)
    /// A source tensor under another name: `roberta.` prefix added or stripped for the target head,
    /// or a legacy `LayerNorm.gamma`/`beta` name (transformers renames those on load).
    case renamed(from: String)
    /// The position table tiled to `max-len + 2` rows (§4).
    case extendedPositions(from: String, sourceRows: Int)
    /// The 512-row global table (§5).
    case generatedGlobals(GlobalInit)
    /// A weight the source lacks (a new head, a pooler): Hugging Face's init, seeded.
    case newTensor(NewTensorInit, std: Double)

    /// The one-word label of the rule.
    public var label: String {
        switch self {
        case .copied: "copied"
        case .renamed: "renamed"
        case .extendedPositions: "extended"
        case .generatedGlobals: "generated"
        case let .newTensor(initializer, _): initializer == .normal ? "new random" : "new"
        }
    }

    /// The source tensor read, if any.
    public var sourceName: String? {
        switch self {
        case let .copied(name), let .renamed(name), let .extendedPositions(name, _): name
        case .generatedGlobals, .newTensor: nil
        }
    }
}

/// How the global table is initialised.
public enum GlobalInit: Sendable, Equatable {
    /// §5b: ordered positions + word[bos] (row 0) / word[mask] (rows 1...).
    case deterministic(bos: Int, mask: Int, stride: Int, keepFirstRow: Bool)
    /// §5c: multivariate normal draws (row 0 = word[bos]) + ordered positions.
    case random(bos: Int, stride: Int, keepFirstRow: Bool)

    public var keepFirstRow: Bool {
        switch self {
        case let .deterministic(_, _, _, keep), let .random(_, _, keep): keep
        }
    }
}
