import CheckpointIO

/// Why `verify` cannot run at all (as opposed to a check that runs and fails). The command line
/// maps every one of these to exit code 2.
public enum VerificationError: Error, CustomStringConvertible, Sendable, Equatable {
    /// No original to compare with: no `--against` and no provenance file naming a source.
    case noOriginal(converted: String, reason: String)
    /// The original named by `--against` or by the provenance file does not exist.
    case originalNotFound(path: String, origin: String)
    /// The provenance file exists but cannot be used.
    case badProvenance(file: String, reason: String)
    /// Reading a checkpoint, config or tokenizer file failed.
    case unreadable(CheckpointError)
    /// An option value is out of range (`--length 0`, `--min-cosine 2`...).
    case badOption(name: String, reason: String)

    public var description: String {
        switch self {
        case let .noOriginal(converted, reason):
            return "\(converted): no original model to compare with (\(reason)); pass --against ORIGINAL"
        case let .originalNotFound(path, origin):
            return "\(path): original model not found (from \(origin)); pass --against ORIGINAL"
        case let .badProvenance(file, reason):
            return "\(file): unusable provenance file: \(reason)"
        case let .unreadable(error):
            return error.description
        case let .badOption(name, reason):
            return "\(name): \(reason)"
        }
    }
}
