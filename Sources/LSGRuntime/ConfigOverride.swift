// Load-time config overrides (`--set KEY=VALUE`, like `from_pretrained(..., key=value)` in Python).
import CheckpointIO

/// Parses `KEY=VALUE` overrides into JSON values for ``ModelConfig``.
public enum ConfigOverride {
    /// The value of `--set KEY=VALUE`: JSON when it parses (`32`, `true`, `null`, `"norm"`, `1e-5`),
    /// Python's `True`/`False`/`None`, otherwise the bare text as a string (`sparsity_type=pooling`).
    public static func value(parsing text: String) -> JSONValue {
        switch text {
        case "True": return .bool(true)
        case "False": return .bool(false)
        case "None": return .null
        default: break
        }
        if let parsed = try? JSONParser.parse(text) { return parsed }
        return .string(text)
    }

    /// Splits `KEY=VALUE` (the first `=`); `nil` when there is no `=` or the key is empty.
    public static func parse(assignment: String) -> (key: String, value: JSONValue)? {
        guard let eq = assignment.firstIndex(of: "="), eq != assignment.startIndex else { return nil }
        return (String(assignment[..<eq]), value(parsing: String(assignment[assignment.index(after: eq)...])))
    }
}
