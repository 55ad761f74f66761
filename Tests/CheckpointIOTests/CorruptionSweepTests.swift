import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// The corruption sweep of issue 6, filling what the per-reader suites (SafetensorsCorruptionTests,
/// TorchTruncationTests, TorchZipStructureTests, TorchHostileFileTests, PickleLimitsTests,
/// ShardedCheckpointErrorTests) leave out: for every fixture format (safetensors, torch zip, legacy
/// torch, sharded index) truncations, multi-bit flips and runs of 0x00/0xFF/random bytes at seeded
/// positions, then header edits declaring sizes no file could hold. Every damaged file must end in a
/// `CheckpointError` (or, for damage inside tensor data, read normally) — never a crash, a hang or an
/// allocation sized by the damaged field (a 2^40-element allocation would abort the test process).
@Suite struct CorruptionSweepTests {
    /// SplitMix64: a seeded generator, so every run damages the same bytes.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A fixture file and the file(s) that travel with it (the shards of an index).
    struct Case: Sendable, CustomStringConvertible {
        var fixture: String
        /// Other files of the same folder copied next to it (shards of an index).
        var companions: [String] = []
        var description: String { fixture }
    }

    static let cases: [Case] = [
        Case(fixture: "safetensors/tiny-f32.safetensors"),
        Case(fixture: "safetensors/tiny-bf16.safetensors"),
        Case(fixture: "torch/roberta.pt"),
        Case(fixture: "torch/roberta_bf16_deflated.pt"),
        Case(fixture: "torch/roberta_legacy.bin"),
        Case(fixture: "torch/views_legacy.bin"),
        Case(fixture: "safetensors/sharded/model.safetensors.index.json",
             companions: (1...4).map { "model-0000\($0)-of-00004.safetensors" }),
        Case(fixture: "torch/sharded/pytorch_model.bin.index.json",
             companions: ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]),
    ]

    enum Outcome: Equatable { case read, rejected }

    /// Damaged copies per fixture and kind of damage (the whole suite stays around a second in debug).
    static let trials = 100

    /// Opens `path` by content (as `inspect`/`convert` do) and reads every tensor as Float32.
    /// Any error other than `CheckpointError` is recorded as a test failure.
    static func openAndReadAll(_ path: String, _ label: @autoclosure () -> String) -> Outcome? {
        do {
            let source = try Checkpoint.open(path: path)
            for info in source.tensorInfos {
                let data = try source.tensor(named: info.name)
                #expect(data.bytes.count == info.byteCount, "\(label()): \(info.name)")
                _ = data.floats()
            }
            return .read
        } catch let error as CheckpointError {
            #expect(!error.message.isEmpty, "\(label())")
            return .rejected
        } catch {
            Issue.record("\(label()): not a CheckpointError: \(error)")
            return nil
        }
    }

    /// A temporary copy of the case's folder; returns the path the damaged bytes go to.
    static func workspace(_ c: Case) throws -> (TemporaryDirectory, String, Data) {
        let directory = try TemporaryDirectory("sweep")
        let source = Fixtures.url(c.fixture)
        for companion in c.companions {
            try FileManager.default.copyItem(at: source.deletingLastPathComponent().appendingPathComponent(companion),
                                             to: directory.url(companion))
        }
        return (directory, directory.url(source.lastPathComponent).path, try Data(contentsOf: source))
    }

    /// A position biased towards the structure: the first 4 KiB (headers, pickles), the last
    /// 1 KiB (zip central directory) or anywhere.
    static func position(_ count: Int, _ rng: inout SeededGenerator) -> Int {
        switch Int.random(in: 0..<3, using: &rng) {
        case 0: return Int.random(in: 0..<min(count, 4096), using: &rng)
        case 1: return Int.random(in: max(0, count - 1024)..<count, using: &rng)
        default: return Int.random(in: 0..<count, using: &rng)
        }
    }

    @Test(arguments: cases)
    func truncationsAreAlwaysRejected(_ c: Case) throws {
        let (directory, path, original) = try Self.workspace(c)
        _ = directory
        #expect(Self.openAndReadAll(Fixtures.path(c.fixture), c.fixture) == .read)
        var rng = SeededGenerator(state: 0x5EED_0001)
        var cuts = Set([0, 1, 7, 8, 9, 15, 16, 21, 22, original.count - 1, original.count - 22])
        while cuts.count < 40 { cuts.insert(Self.position(original.count, &rng)) }
        for cut in cuts.sorted() where cut >= 0 && cut < original.count {
            // Cutting only the trailing newline of a JSON index leaves a valid index.
            if original[cut...].allSatisfy({ $0 == 0x0A || $0 == 0x20 }) { continue }
            try original.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect(Self.openAndReadAll(path, "\(c) cut at \(cut)") == .rejected, "\(c) cut at \(cut)")
        }
    }

    @Test(arguments: cases)
    func bitFlipsNeverCrash(_ c: Case) throws {
        let (directory, path, original) = try Self.workspace(c)
        _ = directory
        var rng = SeededGenerator(state: 0x5EED_0002)
        var outcomes: [Outcome] = []
        for trial in 0..<Self.trials {
            var bytes = original
            // 1 to 4 flipped bits, each at its own position.
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Self.position(bytes.count, &rng)] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
            }
            try bytes.write(to: URL(fileURLWithPath: path))
            if let outcome = Self.openAndReadAll(path, "\(c) flip trial \(trial)") { outcomes.append(outcome) }
        }
        #expect(outcomes.count == Self.trials)
        #expect(outcomes.contains(.rejected), "\(c): no flip was noticed at all")
    }

    @Test(arguments: cases)
    func byteRunsNeverCrash(_ c: Case) throws {
        let (directory, path, original) = try Self.workspace(c)
        _ = directory
        var rng = SeededGenerator(state: 0x5EED_0003)
        var outcomes: [Outcome] = []
        for trial in 0..<Self.trials {
            var bytes = original
            let length = Int.random(in: 8...64, using: &rng)
            let start = min(Self.position(bytes.count, &rng), bytes.count - 1)
            let end = min(bytes.count, start + length)
            for i in start..<end {
                bytes[i] = switch trial % 3 {
                case 0: 0x00
                case 1: 0xFF
                default: UInt8.random(in: 0...255, using: &rng)
                }
            }
            try bytes.write(to: URL(fileURLWithPath: path))
            if let outcome = Self.openAndReadAll(path, "\(c) run \(start)..<\(end) trial \(trial)") { outcomes.append(outcome) }
        }
        #expect(outcomes.count == Self.trials)
        #expect(outcomes.contains(.rejected), "\(c): no run was noticed at all")
    }

    /// Damage to one shard of a sharded checkpoint is reported through the index.
    @Test func damagedShardBehindAnIndexIsRejected() throws {
        let c = Self.cases[6]
        let (directory, path, _) = try Self.workspace(c)
        let shard = directory.url(c.companions[1])
        let bytes = try Data(contentsOf: shard)
        try bytes.prefix(bytes.count / 2).write(to: shard)
        #expect(Self.openAndReadAll(path, "half shard") == .rejected)
        try Data().write(to: shard)
        #expect(Self.openAndReadAll(path, "empty shard") == .rejected)
        try FileManager.default.removeItem(at: shard)
        try FileManager.default.createDirectory(at: shard, withIntermediateDirectories: false)
        #expect(Self.openAndReadAll(path, "shard that is a folder") == .rejected)
    }

    /// An index naming 40,000 tensors in 40,000 distinct (missing) shards is rejected in linear time
    /// (the shard list used to be built with `Array.contains`: 8e8 string comparisons, ~55 s in a debug build).
    @Test func indexWithManyDistinctShardsIsRejectedQuickly() throws {
        let directory = try TemporaryDirectory("sweep-index")
        var text = #"{"metadata":{},"weight_map":{"#
        for i in 0..<40_000 { text += (i == 0 ? "" : ",") + #""t\#(i)":"shard-\#(i).safetensors""# }
        text += "}}"
        let path = directory.url("model.safetensors.index.json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let start = Date()
        let error = try #require(throws: CheckpointError.self) { _ = try ShardedCheckpoint(indexPath: path) }
        #expect(error.kind == .notFound)
        #expect(Date().timeIntervalSince(start) < 10, "took \(Date().timeIntervalSince(start)) s")
    }

    // MARK: - Header edits: sizes no file could hold

    /// A safetensors file: 8-byte length, `header`, `dataCount` zero bytes.
    static func safetensors(header: String, dataCount: Int) -> Data {
        var data = Data()
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: dataCount))
        return data
    }

    static func error(writing bytes: Data, named name: String = "x") throws -> CheckpointError? {
        let directory = try TemporaryDirectory("sweep-edit")
        let path = directory.url(name).path
        try bytes.write(to: URL(fileURLWithPath: path))
        do {
            let source = try Checkpoint.open(path: path)
            for info in source.tensorInfos { _ = try source.tensor(named: info.name) }
            return nil
        } catch let error as CheckpointError {
            #expect(error.file.hasSuffix(name))
            return error
        }
    }

    @Test(arguments: [
        // Offsets out of range: past the file, at the top of Int64, beyond Int64.
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,1099511627776]}}"#, CheckpointError.Kind.malformed),
        (#"{"a":{"dtype":"U8","shape":[1099511627776],"data_offsets":[0,1099511627776]}}"#, .truncated),
        (#"{"a":{"dtype":"U8","shape":[9223372036854775807],"data_offsets":[0,9223372036854775807]}}"#, .truncated),
        (#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[9223372036854775799,9223372036854775807]}}"#, .malformed),
        (#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,18446744073709551615]}}"#, .malformed),
        (#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[-8,0]}}"#, .malformed),
        // Overlapping: two tensors on the same bytes, and one inside the other.
        (#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[8],"data_offsets":[0,8]}}"#, .malformed),
        (#"{"a":{"dtype":"U8","shape":[8],"data_offsets":[0,8]},"b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}}"#, .malformed),
        // Shapes whose element or byte count overflows Int (2^32 * 2^32; 2^62 F32 = 2^64 bytes).
        (#"{"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#, .malformed),
        (#"{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}}"#, .malformed),
        (#"{"a":{"dtype":"F64","shape":[3074457345618258603,3],"data_offsets":[0,8]}}"#, .malformed),
        // A zero dimension makes the product 0 even with a huge other dimension: then the offsets
        // must be empty, and the 8 data bytes are uncovered.
        (#"{"a":{"dtype":"F32","shape":[0,9223372036854775807],"data_offsets":[0,0]}}"#, .malformed),
    ])
    func safetensorsHeaderEdits(header: String, kind: CheckpointError.Kind) throws {
        let error = try #require(try Self.error(writing: Self.safetensors(header: header, dataCount: 8), named: "x.safetensors"))
        #expect(error.kind == kind, "\(header): \(error)")
    }

    // MARK: Torch zip

    typealias P = PickleBytes

    /// LONG1 with 8 little-endian bytes: any Int64 (torch writes large ints this way).
    static func long1(_ value: Int64) -> [UInt8] { [0x8A, 0x08] + P.le(value) }

    /// The object pickle of `{"w": _rebuild_tensor_v2(storage, 0, (numel,), (1,), False, {})}` whose
    /// storage is FloatStorage `key` of `numel` elements; legacy ids carry a sixth `None` field.
    static func stateDictPickle(key: String, numel: Int64, legacy: Bool) -> [UInt8] {
        let id = [0x28] + P.binUnicode("storage") + P.global("torch", "FloatStorage") + P.binUnicode(key)
            + P.binUnicode("cpu") + long1(numel) + (legacy ? [0x4E] : []) + [0x74, 0x51]
        return P.pickle(P.global("collections", "OrderedDict") + [0x29, 0x52, 0x28] + P.binUnicode("w")
            + P.global("torch._utils", "_rebuild_tensor_v2") + [0x28] + id
            + [0x4B, 0x00] + long1(numel) + [0x85, 0x4B, 0x01, 0x85, 0x89, 0x7D, 0x74, 0x52, 0x75])
    }

    static func torchZip(key: String, numel: Int64, storageName: String = "arch/data/0", storage: [UInt8]) -> [UInt8] {
        var builder = TorchZipTestBuilder()
        builder.entries = [
            .init(name: "arch/data.pkl", data: stateDictPickle(key: key, numel: numel, legacy: false)),
            .init(name: "arch/byteorder", data: Array("little".utf8)),
            .init(name: storageName, data: storage),
        ]
        return builder.build().bytes
    }

    @Test func zipBuilderSanity() throws {
        #expect(try Self.error(writing: Data(Self.torchZip(key: "0", numel: 4, storage: TorchZipTestBuilder.floatBytes(4)))) == nil)
    }

    @Test(arguments: [Int64(1) << 40, Int64(1) << 61, Int64.max / 4])
    func zipStorageDeclaringHugeNumelIsRejected(numel: Int64) throws {
        let error = try #require(try Self.error(writing: Data(Self.torchZip(key: "0", numel: numel, storage: TorchZipTestBuilder.floatBytes(4)))))
        #expect(error.kind == .inconsistent || error.kind == .malformed, "\(error)")
    }

    @Test(arguments: ["../../../etc/passwd", "/etc/passwd", "0/../../data.pkl", "", "1"])
    func zipStorageKeyOutsideTheArchiveIsRejected(key: String) throws {
        let error = try #require(try Self.error(writing: Data(Self.torchZip(key: key, numel: 4, storage: TorchZipTestBuilder.floatBytes(4)))))
        #expect(error.kind == .malformed, "\(error)")
        #expect(error.message.contains("has no entry"), "\(error)")
    }

    /// Sizes and offsets of a zip64 directory record patched to values no file can hold.
    @Test(arguments: [(0, UInt64(1) << 40), (0, UInt64.max), (8, UInt64(1) << 40), (8, UInt64.max), (16, UInt64(1) << 40), (16, UInt64.max)])
    func zip64FieldsOutOfRangeAreRejected(fieldOffset: Int, value: UInt64) throws {
        var builder = TorchZipTestBuilder.oneTensor()
        builder.zip64 = true
        var (bytes, layout) = builder.build()
        // The zip64 extra field of the storage record (entry 2): uncompressed size, compressed size,
        // local header offset, each 8 bytes, after the 46-byte record, the name and the 4-byte extra header.
        let record = layout.centralRecordOffsets[2]
        let field = record + 46 + "arch/data/0".utf8.count + 4 + fieldOffset
        bytes.replaceSubrange(field..<(field + 8), with: P.le(value))
        let error = try #require(try Self.error(writing: Data(bytes)))
        #expect([.malformed, .truncated, .inconsistent].contains(error.kind), "\(error)")
    }

    @Test func deflatedEntryDeclaring2To40BytesIsRefusedBeforeInflating() throws {
        var builder = TorchZipTestBuilder.oneTensor()
        builder.zip64 = true
        builder.entries[2] = .init(name: "arch/data/0", data: TorchZipTestBuilder.deflate(TorchZipTestBuilder.floatBytes(4)),
                                   method: 8, uncompressedSize: 1 << 40)
        let bytes = builder.build().bytes
        let directory = try TemporaryDirectory("sweep-edit")
        let path = directory.url("x.pt").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // The archive itself is readable: the lie is found when the storage is checked.
        let error = try #require(throws: CheckpointError.self) { _ = try TorchZipFile(path: path) }
        #expect(error.kind == .inconsistent, "\(error)")
        // The zip layer alone refuses to inflate it (deflate expands at most 1032:1).
        let mapped = try MappedFile(path: path)
        let archive = try ZipArchive(bytes: mapped.bytes, file: path)
        let entry = try #require(archive.entry(named: "arch/data/0"))
        #expect(entry.uncompressedSize == 1 << 40)
        let inflateError = try #require(throws: CheckpointError.self) { _ = try archive.contents(of: entry) }
        #expect(inflateError.message.contains("declares 1099511627776 bytes inflated from only"))
    }

    // MARK: Legacy torch

    /// A legacy `torch.save` stream with one FloatStorage `"0"` declared with `numel` elements in
    /// the object pickle, `countInStream` in the storage header, followed by `payload` bytes.
    static func legacyFile(numel: Int64, countInStream: Int64, payload: [UInt8]) -> [UInt8] {
        var out = TorchFormatSniffer.legacyMagic                                  // magic number pickle
        out += P.pickle([0x4D] + P.le(UInt16(1001)))                              // protocol version
        out += P.pickle([0x7D, 0x28] + P.binUnicode("little_endian") + [0x88] + P.binUnicode("type_sizes")
            + [0x7D, 0x75])                                                       // sys_info dict
        out += stateDictPickle(key: "0", numel: numel, legacy: true)              // the object
        out += P.pickle([0x5D, 0x28] + P.binUnicode("0") + [0x65])                // storage keys ["0"]
        out += P.le(countInStream)
        out += payload
        return out
    }

    @Test func legacyBuilderSanity() throws {
        let bytes = Self.legacyFile(numel: 4, countInStream: 4, payload: TorchZipTestBuilder.floatBytes(4))
        #expect(try Self.error(writing: Data(bytes)) == nil)
    }

    @Test(arguments: [Int64(1) << 40, Int64(1) << 60, Int64.max / 4])
    func legacyStorageOf2To40ElementsIsRefusedBeforeAllocating(numel: Int64) throws {
        let bytes = Self.legacyFile(numel: numel, countInStream: numel, payload: TorchZipTestBuilder.floatBytes(4))
        let error = try #require(try Self.error(writing: Data(bytes)))
        #expect(error.kind == .truncated, "\(error)")
        #expect(error.message.contains("needs \(numel * 4) bytes"), "\(error)")
    }

    @Test(arguments: [Int64(1) << 40, -1, Int64.min, 3])
    func legacyStreamCountDisagreeingWithThePickleIsRejected(countInStream: Int64) throws {
        let bytes = Self.legacyFile(numel: 4, countInStream: countInStream, payload: TorchZipTestBuilder.floatBytes(4))
        let error = try #require(try Self.error(writing: Data(bytes)))
        #expect(error.kind == .inconsistent, "\(error)")
    }

    @Test(arguments: [Int64.max, Int64.max / 2, -1])
    func legacyElementCountsOverflowingBytesAreMalformed(numel: Int64) throws {
        let bytes = Self.legacyFile(numel: numel, countInStream: numel, payload: [])
        let error = try #require(try Self.error(writing: Data(bytes)))
        #expect(error.kind == .malformed, "\(error)")
    }
}
