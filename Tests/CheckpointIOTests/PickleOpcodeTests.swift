import Testing
@testable import CheckpointIO

/// One hand-assembled byte string per supported opcode (candle mapped DICT to EMPTY_DICT and no
/// real checkpoint noticed: every opcode we claim is exercised here on its own).
@Suite struct PickleOpcodeTests {
    typealias P = PickleBytes

    private func value(_ body: [UInt8]) throws -> PickleValue {
        try unpickle(P.pickle(body)).value
    }

    // MARK: - Scalars

    @Test func noneAndBooleans() throws {
        #expect(try value([0x4E]) == PickleValue.none)
        #expect(try value([0x88]) == .bool(true))
        #expect(try value([0x89]) == .bool(false))
    }

    @Test func binaryIntegers() throws {
        #expect(try value([0x4B, 0xFF]) == .int(255))                            // BININT1
        #expect(try value([0x4D, 0x34, 0x12]) == .int(0x1234))                   // BININT2 (LE)
        #expect(try value([0x4A, 0xFF, 0xFF, 0xFF, 0xFF]) == .int(-1))           // BININT (signed)
        #expect(try value([0x4A, 0x00, 0x00, 0x00, 0x80]) == .int(Int(Int32.min)))
    }

    @Test func long1DecodesTwosComplement() throws {
        #expect(try value([0x8A, 0x00]) == .int(0))
        #expect(try value([0x8A, 0x01, 0xFF]) == .int(-1))
        #expect(try value([0x8A, 0x02, 0xFF, 0x00]) == .int(255))
        #expect(try value([0x8A, 0x02, 0x00, 0x80]) == .int(-32768))
        // 2^63 needs 9 bytes and does not fit in Int.
        #expect(try value([0x8A, 0x09, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x00]) == .bigInt([0, 0, 0, 0, 0, 0, 0, 0x80, 0x00]))
        // 9 bytes of pure sign extension still fit.
        #expect(try value([0x8A, 0x09] + [UInt8](repeating: 0xFF, count: 9)) == .int(-1))
        #expect(try value([0x8A, 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]) == .int(Int.max))
    }

    @Test func long4() throws {
        #expect(try value([0x8B, 0x02, 0x00, 0x00, 0x00, 0xFF, 0x7F]) == .int(32767))
    }

    @Test func legacyMagicNumberIsABigInt() throws {
        // torch's MAGIC_NUMBER 0x1950a86a20f9469cfc6c, exactly as _legacy_save writes it.
        let result = try unpickle(TorchFormatSniffer.legacyMagic)
        #expect(result.value == .bigInt([0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]))
        #expect(result.end == 15)
    }

    @Test func binFloatIsBigEndian() throws {
        #expect(try value([0x47, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0]) == .float(1.0))
        #expect(try value([0x47, 0xC0, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18]) == .float(-Double.pi))
    }

    @Test func strings() throws {
        #expect(try value([0x55, 0x03] + Array("abc".utf8)) == .string("abc"))                 // SHORT_BINSTRING
        #expect(try value([0x54, 0x03, 0, 0, 0] + Array("abc".utf8)) == .string("abc"))        // BINSTRING
        #expect(try value([0x58, 0x02, 0, 0, 0, 0xC3, 0xA9]) == .string("é"))                 // BINUNICODE
        #expect(try value([0x8C, 0x02, 0xC3, 0xA9]) == .string("é"))                           // SHORT_BINUNICODE
        #expect(try value([0x8D, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x41]) == .string("A"))            // BINUNICODE8
        #expect(try value([0x58, 0, 0, 0, 0]) == .string(""))
    }

    @Test func bytes() throws {
        #expect(try value([0x43, 0x02, 0x01, 0x02]) == .bytes([1, 2]))                          // SHORT_BINBYTES
        #expect(try value([0x42, 0x01, 0, 0, 0, 0x07]) == .bytes([7]))                          // BINBYTES
        #expect(try value([0x8E, 0x01, 0, 0, 0, 0, 0, 0, 0, 0x09]) == .bytes([9]))              // BINBYTES8
    }

    // MARK: - Containers

    @Test func tuples() throws {
        #expect(try value([0x29]) == .tuple([]))
        #expect(try value([0x4B, 1, 0x85]) == .tuple([.int(1)]))
        #expect(try value([0x4B, 1, 0x4B, 2, 0x86]) == .tuple([.int(1), .int(2)]))
        #expect(try value([0x4B, 1, 0x4B, 2, 0x4B, 3, 0x87]) == .tuple([.int(1), .int(2), .int(3)]))
        #expect(try value([0x28, 0x4B, 1, 0x4B, 2, 0x4B, 3, 0x4B, 4, 0x74]) == .tuple([.int(1), .int(2), .int(3), .int(4)]))
        #expect(try value([0x28, 0x74]) == .tuple([]))
    }

    @Test func lists() throws {
        #expect(try value([0x5D]) == .list([]))
        #expect(try value([0x5D, 0x4B, 7, 0x61]) == .list([.int(7)]))                           // APPEND
        #expect(try value([0x5D, 0x28, 0x4B, 1, 0x4B, 2, 0x65]) == .list([.int(1), .int(2)]))  // APPENDS
        #expect(try value([0x28, 0x4B, 1, 0x4B, 2, 0x6C]) == .list([.int(1), .int(2)]))        // LIST
    }

    @Test func dicts() throws {
        let ab: PickleValue = .dict([.init(key: .string("a"), value: .int(1)), .init(key: .string("b"), value: .int(2))])
        #expect(try value([0x7D]) == .dict([]))
        #expect(try value([0x7D] + P.binUnicode("a") + [0x4B, 1, 0x73] + P.binUnicode("b") + [0x4B, 2, 0x73]) == ab)  // SETITEM
        #expect(try value([0x7D, 0x28] + P.binUnicode("a") + [0x4B, 1] + P.binUnicode("b") + [0x4B, 2, 0x75]) == ab)  // SETITEMS
        // DICT 'd' builds a filled dict from the items above the mark (candle read it as EMPTY_DICT).
        #expect(try value([0x28] + P.binUnicode("a") + [0x4B, 1] + P.binUnicode("b") + [0x4B, 2, 0x64]) == ab)
    }

    @Test func sets() throws {
        #expect(try value([0x8F, 0x28, 0x4B, 1, 0x4B, 2, 0x90]) == .set([.int(1), .int(2)]))    // EMPTY_SET + ADDITEMS
        #expect(try value([0x28, 0x4B, 3, 0x91]) == .set([.int(3)]))                            // FROZENSET
    }

    // MARK: - Stack and memo

    @Test func memoPutAndGet() throws {
        // BINPUT 0 / BINGET 0
        #expect(try value([0x4B, 5, 0x71, 0, 0x30, 0x68, 0]) == .int(5))
        // LONG_BINPUT 300 / LONG_BINGET 300
        #expect(try value([0x4B, 6, 0x72] + P.le(UInt32(300)) + [0x30, 0x6A] + P.le(UInt32(300))) == .int(6))
        // MEMOIZE stores at len(memo): after one BINPUT, at key 1.
        #expect(try value([0x4B, 1, 0x71, 0, 0x4B, 2, 0x94, 0x86, 0x30, 0x68, 1]) == .int(2))
    }

    @Test func memoHoldsASnapshot() throws {
        // The list is memoized empty, then appended to: BINGET returns the memoized (empty) value.
        #expect(try value([0x5D, 0x71, 0, 0x4B, 1, 0x61, 0x68, 0, 0x86])
                == .tuple([.list([.int(1)]), .list([])]))
    }

    @Test func popPopMarkAndDup() throws {
        #expect(try value([0x4B, 1, 0x4B, 2, 0x30]) == .int(1))                                 // POP
        #expect(try value([0x4B, 1, 0x28, 0x4B, 2, 0x4B, 3, 0x31]) == .int(1))                  // POP_MARK
        #expect(try value([0x4B, 4, 0x32, 0x86]) == .tuple([.int(4), .int(4)]))                 // DUP
        // POP with nothing above the mark discards the mark (CPython `load_pop`).
        #expect(try value([0x4B, 1, 0x28, 0x30, 0x4B, 2, 0x86]) == .tuple([.int(1), .int(2)]))
    }

    @Test func frameIsSkipped() throws {
        // Protocol 4: PROTO 4, FRAME <len>, SHORT_BINUNICODE, MEMOIZE, STOP.
        let bytes: [UInt8] = [0x80, 0x04, 0x95] + P.le(UInt64(5)) + [0x8C, 0x01, 0x41, 0x94, 0x2E]
        #expect(try unpickle(bytes).value == .string("A"))
    }

    @Test func endPointsPastStop() throws {
        // Two pickles in a row, as in legacy torch files.
        let bytes = P.pickle([0x4B, 1]) + P.pickle([0x4B, 2])
        let first = try unpickle(bytes)
        #expect(first.end == 5)
        let second = try bytes.withUnsafeBytes { try Unpickler.load($0, at: first.end, file: "t", globals: acceptAllGlobals) }
        #expect(second.value == .int(2))
        #expect(second.end == bytes.count)
    }

    // MARK: - Objects

    @Test func globalAndStackGlobal() throws {
        #expect(try value(P.global("torch", "FloatStorage")) == .global(module: "torch", name: "FloatStorage"))
        #expect(try value([0x8C, 0x05] + Array("torch".utf8) + [0x8C, 0x06] + Array("Tensor".utf8) + [0x93])
                == .global(module: "torch", name: "Tensor"))
    }

    @Test func reduceIsRecorded() throws {
        #expect(try value(P.global("m", "f") + [0x4B, 1, 0x85, 0x52])
                == .reduce(callable: .global(module: "m", name: "f"), arguments: .tuple([.int(1)])))
    }

    @Test func orderedDictReduceBecomesAnEmptyDict() throws {
        // GLOBAL collections OrderedDict, EMPTY_TUPLE, REDUCE, then SETITEMS fills it.
        let body = P.global("collections", "OrderedDict") + [0x29, 0x52, 0x28] + P.binUnicode("w") + [0x4B, 3, 0x75]
        #expect(try value(body) == .dict([.init(key: .string("w"), value: .int(3))]))
    }

    @Test func buildIsRecorded() throws {
        #expect(try value([0x7D, 0x7D] + P.binUnicode("k") + [0x4E, 0x73, 0x62])
                == .build(object: .dict([]), state: .dict([.init(key: .string("k"), value: .none)])))
    }

    @Test func newObjIsRecorded() throws {
        #expect(try value(P.global("torch.nn.parameter", "Parameter") + [0x4B, 1, 0x85, 0x81])
                == .newObject(cls: .global(module: "torch.nn.parameter", name: "Parameter"), arguments: .tuple([.int(1)])))
    }

    @Test func binPersIDIsRecordedAndCollected() throws {
        let id: [UInt8] = [0x28] + P.binUnicode("storage") + P.global("torch", "HalfStorage") + P.binUnicode("0")
            + P.binUnicode("cpu") + [0x4B, 4, 0x74]
        let result = try unpickle(P.pickle(id + [0x51, 0x85]))
        let expectedID: PickleValue = .tuple([.string("storage"), .global(module: "torch", name: "HalfStorage"),
                                              .string("0"), .string("cpu"), .int(4)])
        #expect(result.value == .tuple([.persistentID(expectedID)]))
        #expect(result.persistentIDs == [expectedID])
    }
}
