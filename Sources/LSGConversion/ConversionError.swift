/// Why a conversion was refused or failed, with the tensor, option or file it concerns.
/// (Reading and writing checkpoint bytes reports ``CheckpointIO/CheckpointError`` instead.)
public struct ConversionError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// An option or option combination the reference crashes on or silently mangles (§7.5).
        case invalidOption
        /// The source's `model_type` is not a RoBERTa family member.
        case unsupportedModelType
        /// `--architecture` (or the source's) is not a RoBERTa head the reference knows.
        case unsupportedArchitecture
        /// The source's weights disagree with its config or miss a backbone tensor.
        case invalidSource
        /// The tokenizer files do not give the ids the global init needs.
        case missingTokenID
        /// The output folder exists and is not empty (and `--force` was not given), or cannot be written.
        case outputExists
        case outputFailed
        /// The conversion was interrupted (SIGINT/SIGTERM); nothing was left behind.
        case interrupted
    }

    public var kind: Kind
    /// The tensor, option or path concerned, when there is one.
    public var subject: String?
    public var message: String

    public init(_ kind: Kind, _ subject: String? = nil, _ message: String) {
        self.kind = kind
        self.subject = subject
        self.message = message
    }

    public var description: String {
        if let subject { return "\(subject): \(message)" }
        return message
    }
}
