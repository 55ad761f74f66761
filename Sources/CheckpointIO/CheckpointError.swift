/// An error reading or writing a checkpoint, with the file (and tensor or byte offset where known)
/// it concerns. `description` is the one line the command line prints.
public struct CheckpointError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The broad class of failure, for callers and tests that branch on it.
    public enum Kind: String, Sendable, Equatable {
        /// The file cannot be opened, mapped, read or written (permissions, missing, disk full).
        case unreadable
        /// The file ends before the data it declares.
        case truncated
        /// The bytes do not follow the format (bad header, bad offsets, bad opcode...).
        case malformed
        /// Well-formed, but uses a feature this tool does not handle (a dtype, a compression...).
        case unsupported
        /// Refused for safety: a pickle GLOBAL outside the allow-list, a size beyond the limits.
        case forbidden
        /// Parts disagree with each other (a shard index and its shards, tied tensors...).
        case inconsistent
        /// A tensor or file that was asked for does not exist.
        case notFound
        /// Writing failed (existing output, full disk...).
        case writeFailed
    }

    public var kind: Kind
    /// The file the error concerns, as the user gave it.
    public var file: String
    public var tensor: String?
    /// Byte offset in `file` where the problem was found.
    public var offset: Int?
    public var message: String

    public init(_ kind: Kind, file: String, tensor: String? = nil, offset: Int? = nil, _ message: String) {
        self.kind = kind
        self.file = file
        self.tensor = tensor
        self.offset = offset
        self.message = message
    }

    public var description: String {
        var parts = [file]
        if let tensor { parts.append("tensor `\(tensor)`") }
        if let offset { parts.append("at byte \(offset)") }
        parts.append(message)
        return parts.joined(separator: ": ")
    }
}
