import Testing
@testable import CheckpointIO

/// Hand-assembled pickle bytes for the tests: opcodes are written out as bytes, with small helpers
/// for the length-prefixed arguments.
enum PickleBytes {
    static let proto2: [UInt8] = [0x80, 0x02]
    static let stop: [UInt8] = [0x2E]

    /// BINUNICODE 'X' + u32 LE length + UTF-8.
    static func binUnicode(_ string: String) -> [UInt8] {
        let utf8 = Array(string.utf8)
        return [0x58] + le(UInt32(utf8.count)) + utf8
    }

    /// GLOBAL 'c' module\nname\n
    static func global(_ module: String, _ name: String) -> [UInt8] {
        [0x63] + Array("\(module)\n\(name)\n".utf8)
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    /// `pattern` repeated `count` times (fast enough in debug builds).
    static func repeated(_ pattern: [UInt8], _ count: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(pattern.count * count)
        for _ in 0..<count { out.append(contentsOf: pattern) }
        return out
    }

    /// A whole pickle: PROTO 2, `body`, STOP.
    static func pickle(_ body: [UInt8]) -> [UInt8] { proto2 + body + stop }
}

/// Accepts every GLOBAL (to test the opcodes themselves).
let acceptAllGlobals = PickleGlobalPolicy { _, _ in .accept }

func unpickle(_ bytes: [UInt8], globals: PickleGlobalPolicy = acceptAllGlobals, maximumDepth: Int = Unpickler.maximumNestingDepth) throws -> Unpickler.Result {
    try bytes.withUnsafeBytes { raw in
        try Unpickler.load(raw, file: "test.pkl", globals: globals, maximumDepth: maximumDepth)
    }
}

/// The error `bytes` raise, or `nil` when they parse.
func unpickleError(_ bytes: [UInt8], globals: PickleGlobalPolicy = acceptAllGlobals, maximumDepth: Int = Unpickler.maximumNestingDepth) -> CheckpointError? {
    do {
        _ = try unpickle(bytes, globals: globals, maximumDepth: maximumDepth)
        return nil
    } catch let error as CheckpointError {
        return error
    } catch {
        Issue.record("unexpected error type \(error)")
        return nil
    }
}
