/// The inert value a pickle describes. Nothing is ever imported or called: a GLOBAL is only
/// recorded as ``global(module:name:)`` and a REDUCE as ``reduce(callable:arguments:)`` ("call X with
/// Y"), for an interpreter to recognise afterwards (the candle `pickle.rs` model).
///
/// Containers are values: a memo entry is a snapshot of the object when it was memoized. Real torch
/// pickles never read back a container that was mutated after being memoized (the state dict is
/// memoized empty and filled by SETITEMS, but never fetched again), and snapshots make reference
/// cycles impossible.
public indirect enum PickleValue: Sendable, Equatable {
    case none
    case bool(Bool)
    case int(Int)
    /// An integer that does not fit in `Int` (LONG1/LONG4): little-endian two's complement bytes,
    /// as stored. The legacy torch magic number `0x1950a86a20f9469cfc6c` is one.
    case bigInt([UInt8])
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list([PickleValue])
    /// Key/value pairs in insertion order (Python dicts are ordered); keys may repeat if the pickle
    /// sets a key twice, the interpreter resolves that as Python would.
    case dict([DictEntry])
    case set([PickleValue])
    /// A `module.name` reference that passed the reader's ``PickleGlobalPolicy``.
    case global(module: String, name: String)
    /// REDUCE: `callable(*arguments)`, recorded. `collections.OrderedDict()` is the one exception,
    /// turned into an empty ``dict(_:)`` so that SETITEMS can fill it (as candle does).
    case reduce(callable: PickleValue, arguments: PickleValue)
    /// BUILD: `object.__setstate__(state)`, recorded.
    case build(object: PickleValue, state: PickleValue)
    /// NEWOBJ: `cls.__new__(cls, *arguments)`, recorded.
    case newObject(cls: PickleValue, arguments: PickleValue)
    /// BINPERSID: the persistent id torch writes for a storage, e.g.
    /// `('storage', torch.FloatStorage, '0', 'cpu', 768)`.
    case persistentID(PickleValue)

    /// One key/value pair of a ``dict(_:)``.
    public struct DictEntry: Sendable, Equatable {
        public var key: PickleValue
        public var value: PickleValue

        public init(key: PickleValue, value: PickleValue) {
            self.key = key
            self.value = value
        }
    }

    /// A short name of the value's kind for error messages ("tuple of 3", "global `torch.Tensor`").
    public var kindDescription: String {
        switch self {
        case .none: "None"
        case .bool(let b): "bool \(b ? "True" : "False")"
        case .int(let i): "int \(i)"
        case .bigInt(let bytes): "int of \(bytes.count) bytes"
        case .float(let d): "float \(d)"
        case .string(let s): "string \"\(s.count > 40 ? String(s.prefix(40)) + "..." : s)\""
        case .bytes(let b): "bytes of length \(b.count)"
        case .tuple(let items): "tuple of \(items.count)"
        case .list(let items): "list of \(items.count)"
        case .dict(let entries): "dict of \(entries.count)"
        case .set(let items): "set of \(items.count)"
        case .global(let module, let name): "global `\(module).\(name)`"
        case .reduce(let callable, _):
            if case .global(let module, let name) = callable { "call of `\(module).\(name)`" } else { "call" }
        case .build(let object, _): "\(object.kindDescription) with state"
        case .newObject(let cls, _):
            if case .global(let module, let name) = cls { "new `\(module).\(name)` object" } else { "new object" }
        case .persistentID: "persistent id"
        }
    }
}

// MARK: - Accessors

extension PickleValue {
    /// The string, or `nil` for any other kind.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The integer, or `nil` for any other kind (bools are not integers here).
    public var intValue: Int? {
        if case .int(let i) = self { return i }
        return nil
    }

    /// The items of a tuple, or `nil`.
    public var tupleItems: [PickleValue]? {
        if case .tuple(let items) = self { return items }
        return nil
    }

    /// The entries of a dict, or `nil`.
    public var dictEntries: [DictEntry]? {
        if case .dict(let entries) = self { return entries }
        return nil
    }

    /// `module.name` of a global, or `nil`.
    public var globalName: String? {
        if case .global(let module, let name) = self { return "\(module).\(name)" }
        return nil
    }

    /// The value stored under the string key `key` of a dict (the last one, as Python keeps), or `nil`.
    public func value(forKey key: String) -> PickleValue? {
        guard case .dict(let entries) = self else { return nil }
        return entries.last(where: { $0.key == .string(key) })?.value
    }
}
