/// A class name resolved against the family table: `LSGBertForMaskedLM` -> (BERT, masked LM, LSG).
public struct ModelArchitecture: Sendable, Equatable {
    /// The name as given (`architectures[0]`).
    public var className: String
    public var family: ModelFamily
    public var task: TaskHead
    /// Whether the name carries the `LSG` prefix.
    public var isLSG: Bool

    /// Parses a class name of any family; `nil` for anything else. With `family`, only that
    /// family's names are accepted.
    public init?(className: String, family: ModelFamily? = nil) {
        for candidate in family.map({ [$0] }) ?? ModelFamily.all {
            if let task = candidate.task(forClassName: className) {
                self.className = className
                self.family = candidate
                self.task = task
                self.isLSG = className.hasPrefix("LSG")
                return
            }
        }
        return nil
    }

    /// Prefix of the backbone weights of this class.
    public var backbonePrefix: String { family.backbonePrefix(task) }

    /// Whether the class keeps the pooler.
    public var hasPooler: Bool { family.hasPooler(task) }
}
