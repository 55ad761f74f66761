/// A JSON document as an ordered, inert value tree.
///
/// Objects keep their keys in document order (Hugging Face files are written with sorted keys, and a
/// rewrite must not reorder what the user wrote), integers stay integers (`Int64`), and the printer
/// reproduces Python's `json.dumps(..., indent=2)` spelling of numbers, so config files we rewrite stay
/// byte-comparable with the ones `transformers` writes.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    /// Key/value pairs in document order; keys are unique.
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.double(a), .double(b)): a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): Double(a) == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)):
            a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    // MARK: - Accessors

    /// The member `key` of an object, or `nil`.
    public subscript(key: String) -> JSONValue? {
        guard case let .object(pairs) = self else { return nil }
        return pairs.first { $0.0 == key }?.1
    }

    public var stringValue: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    /// Integers, and doubles with an exact integer value.
    public var intValue: Int? {
        switch self {
        case let .int(i): return Int(exactly: i)
        case let .double(d): return d.rounded() == d && abs(d) < 9.0e15 ? Int(d) : nil
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case let .int(i): Double(i)
        case let .double(d): d
        default: nil
        }
    }

    public var boolValue: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var objectValue: [(String, JSONValue)]? {
        if case let .object(o) = self { return o }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// Sets (or replaces in place, keeping its position) the member `key` of an object; appends new keys.
    public mutating func set(_ key: String, _ value: JSONValue) {
        guard case var .object(pairs) = self else { return }
        if let i = pairs.firstIndex(where: { $0.0 == key }) {
            pairs[i].1 = value
        } else {
            pairs.append((key, value))
        }
        self = .object(pairs)
    }

    /// Removes the member `key` of an object.
    public mutating func remove(_ key: String) {
        guard case let .object(pairs) = self else { return }
        self = .object(pairs.filter { $0.0 != key })
    }

    /// The same value with every object's keys sorted (recursively), as `json.dumps(sort_keys=True)` does.
    public func sortedKeys() -> JSONValue {
        switch self {
        case let .array(items): return .array(items.map { $0.sortedKeys() })
        case let .object(pairs):
            return .object(pairs.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }
                .map { ($0.0, $0.1.sortedKeys()) })
        default: return self
        }
    }
}
