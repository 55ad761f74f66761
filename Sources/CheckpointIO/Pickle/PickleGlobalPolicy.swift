/// Decides which pickle GLOBALs a reader accepts. Nothing is ever imported or called: an accepted
/// GLOBAL is only recorded as ``PickleValue/global(module:name:)`` for the interpreter to recognise;
/// any other one stops the read with an error naming it, before the rest of the pickle is looked at.
public struct PickleGlobalPolicy: Sendable {
    /// What to do with one `module.name`.
    public enum Decision: Sendable, Equatable {
        /// Record it.
        case accept
        /// A known format feature this tool does not handle: `.unsupported` with this explanation.
        case unsupported(String)
        /// Anything else: `.forbidden`.
        case forbid
    }

    private let decide: @Sendable (_ module: String, _ name: String) -> Decision

    public init(_ decide: @escaping @Sendable (_ module: String, _ name: String) -> Decision) {
        self.decide = decide
    }

    public func decision(module: String, name: String) -> Decision {
        decide(module, name)
    }

    /// Refuses every GLOBAL (for pickles that only hold plain data: the legacy torch magic number,
    /// protocol version, sys_info and storage-key list).
    public static let plainDataOnly = PickleGlobalPolicy { _, _ in .forbid }
}
