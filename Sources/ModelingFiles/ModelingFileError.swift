/// A family's modeling files cannot be assembled.
public struct ModelingFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// No embedded module of that name (the binary was built without it).
        case moduleNotEmbedded
        /// A module imports a sibling (`from .NAME import`) that is not embedded.
        case importNotEmbedded
        /// An explicit `--modeling-file` does not have the module's file name.
        case wrongFileName
        /// An explicit `--modeling-file` cannot be read.
        case unreadable
    }

    public let kind: Kind
    /// The file or module concerned.
    public let file: String
    public let reason: String

    public init(_ kind: Kind, _ file: String, _ reason: String) {
        self.kind = kind
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(reason)" }
}
