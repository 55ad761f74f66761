import Foundation
import Testing
@testable import CheckpointIO

/// Corrupt and hostile pickles: every one ends in a clean `CheckpointError` with the byte offset,
/// never a crash, a hang or an allocation sized by an untrusted length.
@Suite struct PickleLimitsTests {
    typealias P = PickleBytes

    @Test func unknownOpcodeNamesByteAndOffset() throws {
        let error = try #require(unpickleError(P.pickle([0x7D, 0x71, 0x00, 0xFF])))
        #expect(error.kind == .malformed)
        #expect(error.offset == 5)
        #expect(error.message.contains("unknown pickle opcode 0xFF"))
    }

    @Test(arguments: [UInt8(ascii: "I"), UInt8(ascii: "L"), UInt8(ascii: "F"), UInt8(ascii: "S"),
                      UInt8(ascii: "V"), UInt8(ascii: "p"), UInt8(ascii: "g"), UInt8(ascii: "P"),
                      UInt8(ascii: "i"), UInt8(ascii: "o"), 0x82, 0x83, 0x84, 0x92, 0x96, 0x97, 0x98])
    func unsupportedOpcodesAreRejected(opcode: UInt8) throws {
        // Protocol-0 text opcodes, INST/OBJ (which call classes), EXT*, NEWOBJ_EX and protocol-5 buffers.
        let error = try #require(unpickleError(P.pickle([opcode, 0x4B, 0x01])))
        #expect(error.kind == .malformed)
        #expect(error.offset == 2)
    }

    @Test func memoKeyNeverStored() throws {
        let binGet = try #require(unpickleError(P.pickle([0x7D, 0x71, 0x00, 0x68, 0x05])))
        #expect(binGet.kind == .malformed)
        #expect(binGet.offset == 5)
        #expect(binGet.message.contains("memo key 5"))
        let longBinGet = try #require(unpickleError(P.pickle([0x7D, 0x71, 0x00, 0x6A, 0xFF, 0xFF, 0xFF, 0xFF])))
        #expect(longBinGet.kind == .malformed)
        #expect(longBinGet.message.contains("memo key 4294967295"))
    }

    @Test func hugeDeclaredLengthsFailBeforeAllocating() throws {
        let cases: [[UInt8]] = [
            [0x58, 0xFF, 0xFF, 0xFF, 0x7F] + Array("abc".utf8),                  // BINUNICODE 2 GiB
            [0x8D] + P.le(UInt64.max) + Array("abc".utf8),                       // BINUNICODE8 2^64-1
            [0x8E] + P.le(UInt64(1) << 62),                                      // BINBYTES8
            [0x42, 0xFF, 0xFF, 0xFF, 0xFF],                                      // BINBYTES 4 GiB
            [0x54, 0xFF, 0xFF, 0xFF, 0x7F],                                      // BINSTRING
            [0x8B, 0xFF, 0xFF, 0xFF, 0x7F],                                      // LONG4
            [0x95] + P.le(UInt64.max),                                           // FRAME
            [0x55, 0x10, 0x41],                                                  // SHORT_BINSTRING past the end
        ]
        for bytes in cases {
            let error = try #require(unpickleError(P.proto2 + bytes))
            #expect(error.kind == .truncated, "\(bytes.prefix(3))")
            #expect(error.offset == 2)
        }
    }

    @Test func negativeLengthsAreMalformed() throws {
        #expect(unpickleError(P.pickle([0x54, 0xFF, 0xFF, 0xFF, 0xFF]))?.kind == .malformed)   // BINSTRING -1
        #expect(unpickleError(P.pickle([0x8B, 0xFE, 0xFF, 0xFF, 0xFF]))?.kind == .malformed)   // LONG4 -2
    }

    @Test func nestingIsBoundedAtTheLimit() throws {
        func nestedLists(_ n: Int) -> [UInt8] {
            P.pickle(P.repeated([0x5D], n) + P.repeated([0x61], n - 1))
        }
        // Exactly at the limit: accepted (and freeing the 1000-deep tree does not overflow the stack).
        let atLimit = try unpickle(nestedLists(1000)).value
        if case .list(let outer) = atLimit { #expect(outer.count == 1) } else { Issue.record("not a list") }
        let error = try #require(unpickleError(nestedLists(1001)))
        #expect(error.kind == .forbidden)
        #expect(error.message.contains("deeper than 1000"))
    }

    @Test func deepNestingOfEveryContainerIsRefused() throws {
        let n = 100_000
        let shapes: [[UInt8]] = [
            P.repeated([0x28], n) + P.repeated([0x74], n),                      // MARK... TUPLE...
            [0x4E] + P.repeated([0x85], n),                                     // TUPLE1 chains
            P.repeated([0x28], n) + [0x4E] + P.repeated([0x6C], n),             // MARK... LIST...
            P.repeated([0x7D], n) + P.repeated([0x4E, 0x62], n - 1),            // BUILD chains
            [0x4E] + P.repeated([0x51], n),                                     // BINPERSID chains
            [0x4E] + P.repeated([0x4E, 0x52], n),                               // REDUCE chains
        ]
        for (index, body) in shapes.enumerated() {
            // (The error is computed outside #expect so that a failure does not print 100 000 bytes.)
            let kind = unpickleError(P.pickle(body))?.kind
            #expect(kind == .forbidden, "shape \(index)")
        }
    }

    @Test func stackUnderflowIsAnError() throws {
        let cases: [[UInt8]] = [
            [0x4B, 0x01, 0x73],            // SETITEM with one item
            [0x86],                        // TUPLE2 on an empty stack
            [0x4B, 0x01, 0x86],            // TUPLE2 with one item
            [0x61],                        // APPEND on an empty stack
            [0x4B, 0x01, 0x28, 0x52],      // REDUCE may not pop below the MARK
            [0x74],                        // TUPLE without MARK
            [0x30],                        // POP on an empty stack
            [0x71, 0x00],                  // BINPUT on an empty stack
            [0x28],                        // STOP with only a mark
            [],                            // STOP on an empty stack
        ]
        for body in cases {
            let error = try #require(unpickleError(P.pickle(body)), "\(body)")
            #expect(error.kind == .malformed, "\(body)")
        }
    }

    @Test func containerMismatchesAreErrors() throws {
        #expect(unpickleError(P.pickle([0x29, 0x4B, 0x01, 0x61]))?.kind == .malformed)            // APPEND to a tuple
        #expect(unpickleError(P.pickle([0x5D, 0x4B, 0x01, 0x4B, 0x02, 0x73]))?.kind == .malformed) // SETITEM on a list
        #expect(unpickleError(P.pickle([0x7D, 0x28, 0x4B, 0x01, 0x75]))?.kind == .malformed)     // SETITEMS odd count
        #expect(unpickleError(P.pickle([0x28, 0x4B, 0x01, 0x64]))?.kind == .malformed)           // DICT odd count
        #expect(unpickleError(P.pickle([0x4B, 0x01, 0x4B, 0x02, 0x93]))?.kind == .malformed)     // STACK_GLOBAL of ints
    }

    @Test func truncatedInputs() throws {
        #expect(unpickleError([0x80, 0x02, 0x4E])?.kind == .truncated)                          // no STOP
        #expect(unpickleError([0x80])?.kind == .truncated)                                      // PROTO without version
        #expect(unpickleError([0x80, 0x02, 0x4A, 0x01])?.kind == .truncated)                    // BININT cut
        #expect(unpickleError([0x80, 0x02, 0x63] + Array("torch\nFloat".utf8))?.kind == .truncated) // GLOBAL cut
        #expect(unpickleError([])?.kind == .truncated)
    }

    @Test func invalidUTF8IsMalformed() throws {
        #expect(unpickleError(P.pickle([0x58, 0x01, 0, 0, 0, 0xFF]))?.kind == .malformed)
        #expect(unpickleError(P.pickle([0x63, 0xFF, 0x0A, 0x41, 0x0A]))?.kind == .malformed)
    }

    @Test func newerProtocolIsUnsupported() throws {
        #expect(unpickleError([0x80, 0x06, 0x4E, 0x2E])?.kind == .unsupported)
    }

    @Test(arguments: [("os", "system"), ("builtins", "eval"), ("subprocess", "Popen"), ("posix", "system"),
                      ("__builtin__", "eval"), ("builtins", "getattr"), ("torch", "load"), ("numpy.core.multiarray", "scalar"),
                      ("argparse", "Namespace"), ("collections", "defaultdict")])
    func torchPolicyForbidsForeignGlobals(module: String, name: String) throws {
        let bytes = P.pickle(P.global(module, name) + P.binUnicode("touch /tmp/x") + [0x85, 0x52])
        let error = try #require(unpickleError(bytes, globals: TorchPickleGlobals.policy))
        #expect(error.kind == .forbidden)
        #expect(error.offset == 2)
        #expect(error.message.contains("`\(module).\(name)`"))
    }

    @Test func torchPolicyForbidsStackGlobalToo() throws {
        let bytes = P.pickle([0x8C, 0x02] + Array("os".utf8) + [0x8C, 0x06] + Array("system".utf8) + [0x93])
        let error = try #require(unpickleError(bytes, globals: TorchPickleGlobals.policy))
        #expect(error.kind == .forbidden)
        #expect(error.message.contains("`os.system`"))
    }

    @Test func torchPolicyExplainsKnownUnsupportedGlobals() throws {
        for (module, name) in [("torch._utils", "_rebuild_tensor_v3"), ("torch._utils", "_rebuild_qtensor"), ("torch", "QInt8Storage"), ("torch", "ComplexFloatStorage")] {
            let error = try #require(unpickleError(P.pickle(P.global(module, name)), globals: TorchPickleGlobals.policy))
            #expect(error.kind == .unsupported)
            #expect(error.message.contains("\(module).\(name)"))
        }
    }

    @Test func plainDataPolicyForbidsEveryGlobal() throws {
        #expect(unpickleError(P.pickle(P.global("collections", "OrderedDict")), globals: .plainDataOnly)?.kind == .forbidden)
    }

    @Test func regrowingAMemoizedListIsBounded() throws {
        // EMPTY_LIST, BINPUT 0, then n x (BINGET 0, BININT1 1, APPEND, BINPUT 0, POP): each APPEND
        // grows a list the memo shares, i.e. copies it. 8 000 rounds would copy 3.2e7 elements.
        let n = 8_000
        let body = [0x5D, 0x71, 0x00] + P.repeated([0x68, 0x00, 0x4B, 0x01, 0x61, 0x71, 0x00, 0x30], n) + [0x68, 0x00]
        let pickle = P.pickle(body)
        let clock = ContinuousClock()
        var kind: CheckpointError.Kind?
        let elapsed = clock.measure { kind = unpickleError(pickle)?.kind }
        #expect(kind == .forbidden)
        #expect(elapsed < .seconds(10))
        // A few hundred rounds are fine (the same bytes, shorter).
        let short = [0x5D, 0x71, 0x00] + P.repeated([0x68, 0x00, 0x4B, 0x01, 0x61, 0x71, 0x00, 0x30], 300) + [0x68, 0x00]
        if case .list(let items) = try unpickle(P.pickle(short)).value { #expect(items.count == 300) } else { Issue.record("not a list") }
    }

    @Test func manyAppendsStayLinear() throws {
        // 100 000 APPENDs to one list: copying the list on each append would take ~5e9 element copies.
        let n = 100_000
        let body = [0x5D] + P.repeated([0x4B, 0x01, 0x61], n)
        let pickle = P.pickle(body)
        let clock = ContinuousClock()
        var count = 0
        let elapsed = try clock.measure {
            if case .list(let items) = try unpickle(pickle).value { count = items.count }
        }
        #expect(count == n)
        #expect(elapsed < .seconds(10))
    }
}
