import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// Zip directory handling on hand-built archives: zip64, deflate, comments, and every corrupt
/// field reported as a clean `CheckpointError` with the byte offset.
@Suite struct TorchZipStructureTests {
    typealias Builder = TorchZipTestBuilder

    private func open(_ bytes: [UInt8]) throws -> TorchZipFile {
        let directory = try TemporaryDirectory("torch-zip")
        let path = directory.url("archive.pt").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        // The mapping outlives the file's removal with the directory.
        return try TorchZipFile(path: path)
    }

    private func error(_ bytes: [UInt8]) -> CheckpointError? {
        do {
            let file = try open(bytes)
            for info in file.tensorInfos { _ = try file.tensor(named: info.name) }
            return nil
        } catch {
            return error as? CheckpointError
        }
    }

    private func patch<T: FixedWidthInteger>(_ bytes: inout [UInt8], at offset: Int, _ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + MemoryLayout<T>.size), with: $0) }
    }

    @Test func builtArchiveReads() throws {
        let file = try open(Builder.oneTensor().build().bytes)
        #expect(file.archiveFolder == "arch")
        #expect(try file.tensor(named: "w").floats() == [1, 2, 3, 4])
    }

    @Test func zip64ArchiveReads() throws {
        var builder = Builder.oneTensor()
        builder.zip64 = true
        let file = try open(builder.build().bytes)
        #expect(try file.tensor(named: "w").floats() == [1, 2, 3, 4])
    }

    @Test func commentWithAFakeEndRecordIsSkipped() throws {
        var builder = Builder.oneTensor()
        // A comment that itself contains an end-record signature and garbage.
        builder.comment = [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0xEE, count: 30)
        #expect(try open(builder.build().bytes).tensor(named: "w").floats() == [1, 2, 3, 4])
    }

    @Test func deflatedStorageAndPickleRead() throws {
        var builder = Builder.oneTensor(count: 8)
        for i in builder.entries.indices where builder.entries[i].name != "arch/byteorder" {
            let raw = builder.entries[i].data
            builder.entries[i] = .init(name: builder.entries[i].name, data: Builder.deflate(raw), method: 8, uncompressedSize: raw.count)
        }
        #expect(try open(builder.build().bytes).tensor(named: "w").floats() == [1, 2, 3, 4, 5, 6, 7, 8])
    }

    @Test func deflatedSizeLiesAreCaught() throws {
        // The stream inflates to 20 bytes but 16 are declared (the storage's size), and vice versa.
        let longer = Builder.oneTensor(storage: .init(name: "arch/data/0", data: Builder.deflate(Builder.floatBytes(5)), method: 8, uncompressedSize: 16))
        let longerError = error(longer.build().bytes)
        #expect(longerError?.kind == .malformed)
        #expect(longerError?.message.contains("more than the declared") == true)
        let shorter = Builder.oneTensor(storage: .init(name: "arch/data/0", data: Builder.deflate(Builder.floatBytes(3)), method: 8, uncompressedSize: 16))
        #expect(error(shorter.build().bytes)?.kind == .malformed)
        // Garbage instead of deflate data.
        let garbage = Builder.oneTensor(storage: .init(name: "arch/data/0", data: [0xFF, 0xFF, 0xFF, 0xFF], method: 8, uncompressedSize: 16))
        #expect(error(garbage.build().bytes)?.kind == .malformed)
        // A declared size beyond deflate's 1032:1 limit is refused before allocating: 4000 bytes
        // from the 2-byte empty stream.
        let bomb = Builder.oneTensor(count: 1000, storage: .init(name: "arch/data/0", data: [0x03, 0x00], method: 8, uncompressedSize: 4000))
        #expect(error(bomb.build().bytes)?.message.contains("declares 4000 bytes inflated from only 2") == true)
    }

    @Test func unsupportedCompressionAndEncryption() throws {
        let bzip2 = Builder.oneTensor(storage: .init(name: "arch/data/0", data: Builder.floatBytes(4), method: 12))
        #expect(error(bzip2.build().bytes)?.kind == .unsupported)
        let encrypted = Builder.oneTensor(storage: .init(name: "arch/data/0", data: Builder.floatBytes(4), flags: 0x0809))
        #expect(error(encrypted.build().bytes)?.kind == .unsupported)
    }

    @Test func missingEndRecord() throws {
        let bytes = Builder.oneTensor().build().bytes
        let e = error(Array(bytes.dropLast(22)))
        #expect(e?.kind == .truncated)
        #expect(e?.message.contains("end-of-central-directory") == true)
    }

    @Test func corruptEndRecordFields() throws {
        let (bytes, layout) = Builder.oneTensor().build()
        let end = layout.endRecordOffset
        var offsetPastEnd = bytes
        patch(&offsetPastEnd, at: end + 16, UInt32(bytes.count))
        #expect(error(offsetPastEnd)?.kind == .truncated)
        var sizePastEnd = bytes
        patch(&sizePastEnd, at: end + 12, UInt32(0x7FFF_FFFF))
        #expect(error(sizePastEnd)?.kind == .truncated)
        var tooManyEntries = bytes
        patch(&tooManyEntries, at: end + 10, UInt16(5000))
        #expect(error(tooManyEntries)?.kind == .malformed)
        var fewerEntries = bytes   // the directory then misses data/0
        patch(&fewerEntries, at: end + 10, UInt16(2))
        #expect(error(fewerEntries)?.message.contains("no entry `arch/data/0`") == true)
        var zip64Marker = bytes    // saturated field without a zip64 locator
        patch(&zip64Marker, at: end + 16, UInt32.max)
        #expect(error(zip64Marker)?.kind == .malformed)
    }

    @Test func corruptZip64Locator() throws {
        var builder = Builder.oneTensor()
        builder.zip64 = true
        let (bytes, layout) = builder.build()
        var pointsNowhere = bytes
        patch(&pointsNowhere, at: layout.endRecordOffset - 20 + 8, UInt64(3))
        #expect(error(pointsNowhere)?.kind == .malformed)
        var pointsPastEnd = bytes
        patch(&pointsPastEnd, at: layout.endRecordOffset - 20 + 8, UInt64.max)
        #expect(error(pointsPastEnd)?.kind == .malformed)
    }

    @Test func corruptCentralDirectoryRecords() throws {
        let (bytes, layout) = Builder.oneTensor().build()
        let storageRecord = layout.centralRecordOffsets[2]
        var badSignature = bytes
        badSignature[layout.centralRecordOffsets[1]] = 0
        let signatureError = error(badSignature)
        #expect(signatureError?.kind == .malformed)
        #expect(signatureError?.offset == layout.centralRecordOffsets[1])
        var nameTooLong = bytes
        patch(&nameTooLong, at: storageRecord + 28, UInt16(0xFFFF))
        #expect(error(nameTooLong)?.kind == .malformed)
        var localOffsetPastDirectory = bytes
        patch(&localOffsetPastDirectory, at: storageRecord + 42, UInt32(layout.centralDirectoryOffset + 4))
        #expect(error(localOffsetPastDirectory)?.kind == .malformed)
        var localOffsetAtGarbage = bytes
        patch(&localOffsetAtGarbage, at: storageRecord + 42, UInt32(layout.localHeaderOffsets[2] + 1))
        #expect(error(localOffsetAtGarbage)?.message.contains("bad local header signature") == true)
        var sizePastDirectory = bytes
        patch(&sizePastDirectory, at: storageRecord + 20, UInt32(100_000))
        patch(&sizePastDirectory, at: storageRecord + 24, UInt32(100_000))
        #expect(error(sizePastDirectory) != nil)
        var storedSizesDisagree = bytes
        patch(&storedSizesDisagree, at: storageRecord + 20, UInt32(12))
        #expect(error(storedSizesDisagree)?.kind == .malformed)
    }

    @Test func corruptLocalHeaders() throws {
        let (bytes, layout) = Builder.oneTensor().build()
        var renamed = bytes   // local header names another file than the directory
        renamed[layout.localHeaderOffsets[2] + 30 + 5] = UInt8(ascii: "X")
        #expect(error(renamed)?.message.contains("names a different file") == true)
        var hugeExtra = bytes
        patch(&hugeExtra, at: layout.localHeaderOffsets[2] + 28, UInt16(0xFFFF))
        #expect(error(hugeExtra)?.kind == .truncated)
        var hugePickleName = bytes
        patch(&hugePickleName, at: layout.localHeaderOffsets[0] + 26, UInt16(0xFFFF))
        #expect(error(hugePickleName) != nil)
    }

    @Test func duplicateEntriesAreRefused() throws {
        var builder = Builder.oneTensor()
        builder.entries.append(.init(name: "arch/data/0", data: Builder.floatBytes(4)))
        #expect(error(builder.build().bytes)?.message.contains("duplicate entry") == true)
    }
}
