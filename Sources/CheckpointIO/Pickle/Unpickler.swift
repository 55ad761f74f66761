// Just enough pickle to read PyTorch checkpoints: bytes -> an inert `PickleValue` tree.

/// Reads one pickle (up to and including its STOP opcode) into a ``PickleValue`` without executing
/// anything. GLOBALs are checked against a ``PickleGlobalPolicy`` as they are read, so a hostile
/// pickle is refused at its first foreign reference.
///
/// Hostile input is bounded: every declared length is checked against the remaining input before
/// anything is allocated, memo keys must have been stored, pops below the last MARK are errors,
/// values nest at most ``maximumNestingDepth`` levels (deeper trees would overflow the stack when
/// compared, interpreted or even freed, since those walks are recursive), and growing shared
/// containers may copy at most ``maximumSharedCopyElements`` elements in total.
public struct Unpickler {
    /// Default bound on nesting (a torch state dict needs about 10 levels).
    public static let maximumNestingDepth = 1000

    /// Bound on the elements copied when a memoized (shared) list, dict or set is grown: values are
    /// copy-on-write snapshots, so `BINGET k, APPEND, BINPUT k` in a loop would otherwise copy a
    /// growing container on every iteration (quadratic time from a small file). Python's own
    /// pickler never does this; a real state dict copies at most a few empty containers.
    public static let maximumSharedCopyElements = 1 << 24

    /// What ``load(_:at:file:baseOffset:globals:maximumDepth:)`` returns.
    public struct Result: Sendable {
        public var value: PickleValue
        /// Index just past the STOP opcode, where a following pickle (legacy torch files hold
        /// several in a row) or raw data begins.
        public var end: Int
        /// The argument of every BINPERSID, in stream order (torch's storage ids). Collected while
        /// reading because a later walk of the tree could be exponential: memo references share
        /// subtrees, so a small pickle can describe a huge tree.
        public var persistentIDs: [PickleValue]
    }

    /// A stack or memo entry: the value and how deeply it nests (0 for scalars).
    private struct Slot {
        var value: PickleValue
        var depth: Int
        /// Also referenced by the memo or another stack slot: growing it copies its elements.
        var shared = false
    }

    private let bytes: UnsafeRawBufferPointer
    private let file: String
    private let baseOffset: Int
    private let globals: PickleGlobalPolicy
    private let maximumDepth: Int
    private var position: Int
    private var opcodeOffset: Int
    private var opcodeByte: UInt8 = 0
    private var stack: [Slot] = []
    /// Stack heights at each open MARK (CPython's "metastack").
    private var marks: [Int] = []
    private var memo: [Int: Slot] = [:]
    private var persistentIDs: [PickleValue] = []
    private var sharedCopyElements = 0

    /// Parses the pickle that starts at `start` in `bytes`.
    ///
    /// - Parameters:
    ///   - file: named in errors.
    ///   - baseOffset: where `bytes` begins in `file` (errors report `baseOffset + index`).
    ///   - globals: which GLOBALs may be recorded; anything else is refused.
    /// - Throws: ``CheckpointError`` `.truncated` (input ends early or a declared length exceeds it),
    ///   `.malformed` (unknown opcode, stack underflow, unknown memo key, bad UTF-8...), `.forbidden`
    ///   (GLOBAL outside the policy, nesting beyond `maximumDepth`), `.unsupported` (newer protocol,
    ///   known but unhandled GLOBAL).
    public static func load(
        _ bytes: UnsafeRawBufferPointer, at start: Int = 0, file: String, baseOffset: Int = 0,
        globals: PickleGlobalPolicy, maximumDepth: Int = maximumNestingDepth
    ) throws(CheckpointError) -> Result {
        var unpickler = Unpickler(bytes: bytes, start: start, file: file, baseOffset: baseOffset,
                                  globals: globals, maximumDepth: maximumDepth)
        return try unpickler.run()
    }

    private init(bytes: UnsafeRawBufferPointer, start: Int, file: String, baseOffset: Int,
                 globals: PickleGlobalPolicy, maximumDepth: Int) {
        self.bytes = bytes
        self.file = file
        self.baseOffset = baseOffset
        self.globals = globals
        self.maximumDepth = maximumDepth
        self.position = start
        self.opcodeOffset = start
    }

    // MARK: - Main loop

    private mutating func run() throws(CheckpointError) -> Result {
        guard position >= 0, position <= bytes.count else {
            throw failure(.truncated, "pickle starts past the end of the input")
        }
        while true {
            opcodeOffset = position
            guard position < bytes.count else {
                throw failure(.truncated, "pickle ends without a STOP opcode")
            }
            opcodeByte = bytes[position]
            position += 1
            guard let opcode = PickleOpcode(rawValue: opcodeByte) else {
                throw CheckpointError(.malformed, file: file, offset: baseOffset + opcodeOffset, "unknown pickle opcode \(hex(opcodeByte))")
            }
            switch opcode {
            // MARK: Stack and memo
            case .proto:
                let version = try readByte()
                // Protocol 5 (Python 3.8) is the highest that exists; the opcodes we read are in 2-4.
                guard version <= 5 else { throw failure(.unsupported, "pickle protocol \(version) is newer than 5") }
            case .frame:
                let length = try readInteger(UInt64.self)
                guard length <= UInt64(bytes.count - position) else {
                    throw failure(.truncated, "FRAME declares \(length) bytes but \(bytes.count - position) remain")
                }
            case .stop:
                let result = try pop()
                return Result(value: result.value, end: position, persistentIDs: persistentIDs)
            case .mark:
                marks.append(stack.count)
            case .pop:
                if stack.count > frameBase {
                    stack.removeLast()
                } else if marks.popLast() == nil {
                    throw failure(.malformed, "POP on an empty stack")
                }
            case .popMark:
                _ = try popToMark()
            case .dup:
                stack.append(try share())
            case .binPut:
                let key = Int(try readByte())
                memo[key] = try share()
            case .longBinPut:
                let key = Int(try readInteger(UInt32.self))
                memo[key] = try share()
            case .memoize:
                memo[memo.count] = try share()
            case .binGet:
                try pushMemo(Int(try readByte()))
            case .longBinGet:
                try pushMemo(Int(try readInteger(UInt32.self)))

            // MARK: Scalars
            case .none:
                push(.none)
            case .newTrue:
                push(.bool(true))
            case .newFalse:
                push(.bool(false))
            case .binInt:
                push(.int(Int(try readInteger(Int32.self))))
            case .binInt1:
                push(.int(Int(try readByte())))
            case .binInt2:
                push(.int(Int(try readInteger(UInt16.self))))
            case .long1:
                let length = Int(try readByte())
                push(Self.decodeLong(try read(length)))
            case .long4:
                let length = try readInteger(Int32.self)
                guard length >= 0 else { throw failure(.malformed, "LONG4 declares a negative length \(length)") }
                push(Self.decodeLong(try read(Int(length))))
            case .binFloat:
                // Floats are big-endian although every other integer is little-endian
                // (CPython Lib/pickletools.py, `float8`: "8-byte big-endian IEEE 754").
                let raw = try read(8)
                push(.float(Double(bitPattern: UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)))))
            case .shortBinString, .shortBinUnicode:
                let length = Int(try readByte())
                push(.string(try readUTF8(length)))
            case .binString:
                // Python 2 `str`; torch.load decodes these as UTF-8 (`encoding="utf-8"` default).
                let length = try readInteger(Int32.self)
                guard length >= 0 else { throw failure(.malformed, "BINSTRING declares a negative length \(length)") }
                push(.string(try readUTF8(Int(length))))
            case .binUnicode:
                push(.string(try readUTF8(try readLength(UInt32.self))))
            case .binUnicode8:
                push(.string(try readUTF8(try readLength(UInt64.self))))
            case .shortBinBytes:
                let length = Int(try readByte())
                push(.bytes(Array(try read(length))))
            case .binBytes:
                push(.bytes(Array(try read(try readLength(UInt32.self)))))
            case .binBytes8:
                push(.bytes(Array(try read(try readLength(UInt64.self)))))

            // MARK: Containers
            case .emptyTuple:
                try push(.tuple([]), depth: 1)
            case .tuple:
                let items = try popToMark()
                try push(.tuple(items.map(\.value)), depth: Self.containerDepth(items))
            case .tuple1, .tuple2, .tuple3:
                let count = Int(opcodeByte - PickleOpcode.tuple1.rawValue) + 1
                guard stack.count - frameBase >= count else {
                    throw failure(.malformed, "stack underflow: TUPLE\(count) needs \(count) items, \(stack.count - frameBase) available")
                }
                let items = Array(stack[(stack.count - count)...])
                stack.removeLast(count)
                try push(.tuple(items.map(\.value)), depth: Self.containerDepth(items))
            case .emptyList:
                try push(.list([]), depth: 1)
            case .list:
                let items = try popToMark()
                try push(.list(items.map(\.value)), depth: Self.containerDepth(items))
            case .append:
                let item = try pop()
                try extendTop(with: [item])
            case .appends:
                let items = try popToMark()
                try extendTop(with: items)
            case .emptyDict:
                try push(.dict([]), depth: 1)
            case .dict:
                let items = try popToMark()
                try push(.dict(try pairs(items)), depth: Self.containerDepth(items))
            case .setItem:
                let value = try pop()
                let key = try pop()
                try extendTop(with: [key, value])
            case .setItems:
                let items = try popToMark()
                try extendTop(with: items)
            case .emptySet:
                try push(.set([]), depth: 1)
            case .addItems:
                let items = try popToMark()
                try extendTop(with: items)
            case .frozenSet:
                let items = try popToMark()
                try push(.set(items.map(\.value)), depth: Self.containerDepth(items))

            // MARK: Objects
            case .global:
                let module = try readLine()
                let name = try readLine()
                try push(global(module: module, name: name), depth: 1)
            case .stackGlobal:
                let name = try pop()
                let module = try pop()
                guard case .string(let moduleName) = module.value, case .string(let globalName) = name.value else {
                    throw failure(.malformed, "STACK_GLOBAL needs two strings, found \(module.value.kindDescription) and \(name.value.kindDescription)")
                }
                try push(global(module: moduleName, name: globalName), depth: 1)
            case .reduce:
                let arguments = try pop()
                let callable = try pop()
                // `collections.OrderedDict()` becomes an empty dict so that SETITEMS can fill it:
                // every torch state dict starts with `GLOBAL collections OrderedDict, EMPTY_TUPLE, REDUCE`.
                if callable.value == .global(module: "collections", name: "OrderedDict"), arguments.value == .tuple([]) {
                    try push(.dict([]), depth: 1)
                } else {
                    try push(.reduce(callable: callable.value, arguments: arguments.value),
                             depth: Self.containerDepth([callable, arguments]))
                }
            case .build:
                let state = try pop()
                let object = try pop()
                try push(.build(object: object.value, state: state.value), depth: Self.containerDepth([object, state]))
            case .newObj:
                let arguments = try pop()
                let cls = try pop()
                try push(.newObject(cls: cls.value, arguments: arguments.value), depth: Self.containerDepth([cls, arguments]))
            case .binPersID:
                let id = try pop()
                persistentIDs.append(id.value)
                try push(.persistentID(id.value), depth: id.depth + 1)
            }
        }
    }

    // MARK: - Stack

    /// Height of the stack at the last MARK: pops may not go below it.
    private var frameBase: Int { marks.last ?? 0 }

    private mutating func push(_ value: PickleValue) {
        stack.append(Slot(value: value, depth: 0))
    }

    private mutating func push(_ value: PickleValue, depth: Int) throws(CheckpointError) {
        try checkDepth(depth)
        stack.append(Slot(value: value, depth: depth))
    }

    private mutating func pop() throws(CheckpointError) -> Slot {
        guard stack.count > frameBase else { throw underflow() }
        return stack.removeLast()
    }

    /// The top slot, marked as shared (it is about to be referenced twice).
    private mutating func share() throws(CheckpointError) -> Slot {
        guard stack.count > frameBase else { throw underflow() }
        stack[stack.count - 1].shared = true
        return stack[stack.count - 1]
    }

    private mutating func popToMark() throws(CheckpointError) -> [Slot] {
        guard let mark = marks.popLast() else {
            throw failure(.malformed, "\(opcodeName) without a preceding MARK")
        }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func pushMemo(_ key: Int) throws(CheckpointError) {
        guard let slot = memo[key] else {
            throw failure(.malformed, "memo key \(key) was never stored (memo holds \(memo.count) entries)")
        }
        stack.append(slot)
    }

    /// Appends `items` to the list or set on top of the stack, or key/value pairs to the dict there.
    /// The container is moved out of the stack while it grows so that its array is uniquely
    /// referenced and appending does not copy it (a pickle of n APPENDs stays O(n)).
    private mutating func extendTop(with items: [Slot]) throws(CheckpointError) {
        guard stack.count > frameBase else { throw underflow() }
        let index = stack.count - 1
        let depth = max(stack[index].depth, Self.containerDepth(items))
        try checkDepth(depth)
        if stack[index].shared {
            // Growing a shared container copies it first (copy-on-write).
            sharedCopyElements += stack[index].value.containerCount
            guard sharedCopyElements <= Self.maximumSharedCopyElements else {
                throw failure(.forbidden, "pickle grows shared containers so often that it would copy more than \(Self.maximumSharedCopyElements) elements")
            }
            stack[index].shared = false
        }
        let extended: Bool
        switch PickleOpcode(rawValue: opcodeByte) {
        case .append, .appends: extended = stack[index].value.appendToList(items.map(\.value))
        case .addItems: extended = stack[index].value.addToSet(items.map(\.value))
        default: extended = stack[index].value.addToDict(try pairs(items))
        }
        guard extended else {
            throw failure(.malformed, "\(opcodeName) applied to a \(stack[index].value.kindDescription)")
        }
        stack[index].depth = depth
    }

    private func pairs(_ items: [Slot]) throws(CheckpointError) -> [PickleValue.DictEntry] {
        guard items.count % 2 == 0 else {
            throw failure(.malformed, "\(opcodeName) with an odd number (\(items.count)) of keys and values")
        }
        return stride(from: 0, to: items.count, by: 2).map {
            PickleValue.DictEntry(key: items[$0].value, value: items[$0 + 1].value)
        }
    }

    private static func containerDepth(_ items: [Slot]) -> Int {
        1 + items.reduce(0) { max($0, $1.depth) }
    }

    private func checkDepth(_ depth: Int) throws(CheckpointError) {
        guard depth <= maximumDepth else {
            throw failure(.forbidden, "pickle nests values deeper than \(maximumDepth) levels")
        }
    }

    private func global(module: String, name: String) throws(CheckpointError) -> PickleValue {
        switch globals.decision(module: module, name: name) {
        case .accept:
            return .global(module: module, name: name)
        case .unsupported(let reason):
            throw failure(.unsupported, "pickle GLOBAL `\(module).\(name)`: \(reason)")
        case .forbid:
            throw failure(.forbidden, "refusing pickle GLOBAL `\(module).\(name)`: it is not on this reader's allow-list (nothing is imported or executed)")
        }
    }

    // MARK: - Reading arguments

    /// The next `count` bytes of the current opcode's argument.
    private mutating func read(_ count: Int) throws(CheckpointError) -> UnsafeRawBufferPointer {
        guard count <= bytes.count - position else {
            throw failure(.truncated, "\(opcodeName) argument needs \(count) bytes but \(bytes.count - position) remain")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])
    }

    private mutating func readByte() throws(CheckpointError) -> UInt8 {
        try read(1)[0]
    }

    private mutating func readInteger<T: FixedWidthInteger>(_ type: T.Type) throws(CheckpointError) -> T {
        let raw = try read(MemoryLayout<T>.size)
        return raw.littleEndian(at: 0, as: T.self)
    }

    /// An unsigned length argument, checked against the remaining input before anything is allocated.
    private mutating func readLength<T: FixedWidthInteger & UnsignedInteger>(_ type: T.Type) throws(CheckpointError) -> Int {
        let length = try readInteger(T.self)
        guard UInt64(length) <= UInt64(bytes.count - position) else {
            throw failure(.truncated, "\(opcodeName) declares \(length) bytes but \(bytes.count - position) remain")
        }
        return Int(length)
    }

    private mutating func readUTF8(_ count: Int) throws(CheckpointError) -> String {
        let raw = try read(count)
        guard let string = String(validating: raw, as: UTF8.self) else {
            throw failure(.malformed, "\(opcodeName) string is not valid UTF-8")
        }
        return string
    }

    /// A GLOBAL argument: text up to the next newline.
    private mutating func readLine() throws(CheckpointError) -> String {
        let rest = bytes[position...]
        guard let newline = rest.firstIndex(of: 0x0A) else {
            throw failure(.truncated, "GLOBAL argument has no terminating newline")
        }
        let line = UnsafeRawBufferPointer(rebasing: bytes[position..<newline])
        position = newline + 1
        guard let string = String(validating: line, as: UTF8.self) else {
            throw failure(.malformed, "GLOBAL argument is not valid UTF-8")
        }
        return string
    }

    /// LONG1/LONG4 payload: little-endian two's complement (`decode_long` in CPython's pickle.py).
    static func decodeLong(_ raw: UnsafeRawBufferPointer) -> PickleValue {
        let n = raw.count
        guard n > 0 else { return .int(0) }
        let negative = raw[n - 1] & 0x80 != 0
        // Bytes beyond the 8th must be pure sign extension for the value to fit in Int64.
        if n > 8 {
            let fill: UInt8 = negative ? 0xFF : 0x00
            let highBitMatches = (raw[7] & 0x80 != 0) == negative
            guard highBitMatches, raw[8...].allSatisfy({ $0 == fill }) else { return .bigInt(Array(raw)) }
        }
        var bits: UInt64 = negative ? ~0 : 0
        for i in 0..<min(n, 8) {
            bits &= ~(UInt64(0xFF) << (8 * UInt64(i)))
            bits |= UInt64(raw[i]) << (8 * UInt64(i))
        }
        return .int(Int(Int64(bitPattern: bits)))
    }

    // MARK: - Errors

    private var opcodeName: String {
        PickleOpcode(rawValue: opcodeByte)?.name ?? hex(opcodeByte)
    }

    private func underflow() -> CheckpointError {
        failure(.malformed, "stack underflow at \(opcodeName)")
    }

    private func failure(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
        CheckpointError(kind, file: file, offset: baseOffset + opcodeOffset,
                        "\(message) (pickle opcode \(hex(opcodeByte)) \(opcodeName))")
    }

    private func hex(_ byte: UInt8) -> String {
        "0x" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }
}

// MARK: - In-place growth

extension PickleValue {
    // Each helper moves the array out of `self` before growing it, so that it is uniquely referenced
    // and grows in place instead of being copied (a pickle of n APPENDs stays O(n)).

    /// Elements of a list, set or dict (0 for other values).
    fileprivate var containerCount: Int {
        switch self {
        case .list(let items), .set(let items): items.count
        case .dict(let entries): entries.count
        default: 0
        }
    }

    fileprivate mutating func appendToList(_ items: [PickleValue]) -> Bool {
        guard case .list(var list) = self else { return false }
        self = .none
        list.append(contentsOf: items)
        self = .list(list)
        return true
    }

    fileprivate mutating func addToSet(_ items: [PickleValue]) -> Bool {
        guard case .set(var set) = self else { return false }
        self = .none
        set.append(contentsOf: items)
        self = .set(set)
        return true
    }

    fileprivate mutating func addToDict(_ entries: [DictEntry]) -> Bool {
        guard case .dict(var dict) = self else { return false }
        self = .none
        dict.append(contentsOf: entries)
        self = .dict(dict)
        return true
    }
}
