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
