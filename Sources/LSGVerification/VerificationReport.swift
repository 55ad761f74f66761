import CheckpointIO

/// The outcome of `verify`: every check's result, the verdict, and its two renderings (a table for
/// people, JSON for scripts).
public struct VerificationReport: Sendable {
    public var converted: String
    public var original: String
    /// How the original was found (`--against`, provenance).
    public var originalOrigin: String
    public var className: String
    public var results: [CheckResult]

    public init(converted: String, original: String, originalOrigin: String, className: String, results: [CheckResult]) {
        self.converted = converted
        self.original = original
        self.originalOrigin = originalOrigin
        self.className = className
        self.results = results
    }

    init(subject: VerificationSubject, results: [CheckResult]) {
        self.init(converted: subject.convertedURL.path, original: subject.originalURL.path,
                  originalOrigin: subject.originalOrigin, className: subject.converted.architecture ?? "(none)",
                  results: results)
    }

    /// True when no check failed (skipped checks do not fail).
    public var passed: Bool { results.allSatisfy(\.passed) }

    public var failed: [CheckResult] { results.filter { $0.status == .failed } }

    /// 0 when every check passes, 1 when any fails (2, "cannot run", is the caller's).
    public var exitCode: Int32 { passed ? 0 : 1 }

    public func result(_ id: CheckID) -> CheckResult? { results.first { $0.id == id } }

    /// The human-readable report: header, one table row per check, then problems and notes.
    public func table() -> String {
        var lines = ["verify \(converted)", "  against \(original) (\(originalOrigin))", "  class   \(className)", ""]
        let titleWidth = max(CheckID.allCases.map(\.title.count).max() ?? 0, 5)
        func row(_ number: String, _ title: String, _ status: String, _ figure: String) -> String {
            number.padding(toLength: 4, withPad: " ", startingAt: 0)
                + title.padding(toLength: titleWidth + 2, withPad: " ", startingAt: 0)
                + status.padding(toLength: 8, withPad: " ", startingAt: 0) + figure
        }
        lines.append(row("#", "check", "result", "figure"))
        for result in results {
            lines.append(row(result.id.number, result.id.title, result.status.rawValue.uppercased(), result.figure))
        }
        let withDetails = results.filter { $0.status == .failed || !$0.notes.isEmpty || $0.status == .skipped }
        if !withDetails.isEmpty { lines.append("") }
        for result in withDetails {
            lines.append("[\(result.id.number)] \(result.id.title): \(result.message)")
            for problem in result.problems.prefix(20) { lines.append("    FAIL \(problem)") }
            if result.problems.count > 20 { lines.append("    ... \(result.problems.count - 20) more") }
            for note in result.notes { lines.append("    note \(note)") }
        }
        lines.append("")
        let skipped = results.filter { $0.status == .skipped }.count
        if passed {
            lines.append("PASS: \(results.count - skipped) checks passed" + (skipped > 0 ? ", \(skipped) skipped" : ""))
        } else {
            lines.append("FAIL: \(failed.count) of \(results.count) checks failed (\(failed.map(\.id.title).joined(separator: ", ")))")
        }
        return lines.joined(separator: "\n")
    }

    /// `{"converted", "original", "original_from", "class", "passed", "exit_code", "checks": [{"id",
    /// "number", "title", "status", "figure", "value", "message", "problems", "notes"}]}`.
    public func json() -> JSONValue {
        .object([
            ("converted", .string(converted)),
            ("original", .string(original)),
            ("original_from", .string(originalOrigin)),
            ("class", .string(className)),
            ("passed", .bool(passed)),
            ("exit_code", .int(Int64(exitCode))),
            ("checks", .array(results.map { result in
                .object([
                    ("id", .string(result.id.rawValue)),
                    ("number", .string(result.id.number)),
                    ("title", .string(result.id.title)),
                    ("status", .string(result.status.rawValue)),
                    ("figure", .string(result.figure)),
                    ("value", result.value.map { $0.isFinite ? JSONValue.double($0) : .string(format($0)) } ?? .null),
                    ("message", .string(result.message)),
                    ("problems", .array(result.problems.map { .string($0) })),
                    ("notes", .array(result.notes.map { .string($0) })),
                ])
            })),
        ])
    }
}
