// A JSON scalar for config overrides (`--set KEY=VALUE`, `from_pretrained(..., key=value)`).
import Foundation

/// A config value given at load time to override config.json.
public enum ConfigValue: Sendable, Equatable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)

    /// Parses the text of `--set KEY=VALUE`: `true`/`false` (also Python's `True`/`False`),
    /// `null`/`None`, integers, decimals, quoted JSON strings; anything else is a bare string
    /// (`sparsity_type=pooling`).
    public init(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        switch trimmed {
        case "true", "True": self = .bool(true); return
        case "false", "False": self = .bool(false); return
        case "null", "None": self = .null; return
        default: break
        }
        if let i = Int(trimmed) { self = .int(i); return }
        if let d = Double(trimmed), trimmed.contains(where: { ".eE".contains($0) }) { self = .double(d); return }
        if trimmed.count >= 2, trimmed.hasPrefix("\""), trimmed.hasSuffix("\""),
           let data = trimmed.data(using: .utf8),
           let s = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) as? String {
            self = .string(s); return
        }
        self = .string(trimmed)
    }

    /// The value as a JSONSerialization object.
    var jsonObject: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .int(let i): return i
        case .double(let d): return d
        case .string(let s): return s
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return "\"\(s)\""
        }
    }
}
