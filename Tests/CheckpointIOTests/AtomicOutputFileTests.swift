import CheckpointIO
import Foundation
import Testing
import TestSupport

/// ``AtomicOutputFile``'s reservation and in-kernel range copy (issue 14): whatever mix of buffered
/// writes and copies from a mapped file, the committed file holds exactly the bytes in order.
@Suite struct AtomicOutputFileTests {
    /// A file of `count` pseudo-random bytes in `dir`, and those bytes.
    static func sourceFile(_ dir: TemporaryDirectory, count: Int) throws -> (MappedFile, [UInt8]) {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<count).map { _ -> UInt8 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
        let url = dir.url("source.bin")
        try Data(bytes).write(to: url)
        return (try MappedFile(path: url.path), bytes)
    }

    @Test func copiesAndWritesInterleaveInOrder() throws {
        let dir = try TemporaryDirectory("atomic-out")
        let (file, bytes) = try Self.sourceFile(dir, count: 9 << 20 | 12345)
        // Ranges at odd offsets and sizes, one larger than the write buffer, one empty, one repeated.
        let ranges = [(0, 7), (3, 1), (1 << 20 | 1, 5 << 20), (bytes.count - 999, 999), (17, 0), (0, bytes.count), (3, 1)]
        let path = dir.url("out.bin").path
        let output = try AtomicOutputFile(path: path)
        var expected: [UInt8] = []
        try output.reserve(byteCount: ranges.reduce(0) { $0 + $1.1 } + 2 * ranges.count)
        for (index, (offset, length)) in ranges.enumerated() {
            let marker: [UInt8] = [UInt8(index), 0xAB]
            try output.write(contentsOf: marker)
            expected += marker
            try output.copy(UnsafeRawBufferPointer(rebasing: file.bytes[offset..<(offset + length)]), from: file)
            expected += bytes[offset..<(offset + length)]
        }
        #expect(output.bytesWritten == expected.count)
        try output.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(expected))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["out.bin", "source.bin"])
    }

    @Test func aReservationLargerThanTheBytesWrittenIsTrimmedAtCommit() throws {
        let dir = try TemporaryDirectory("atomic-out")
        let path = dir.url("out.bin").path
        let output = try AtomicOutputFile(path: path)
        try output.reserve(byteCount: 1 << 20)
        try output.write("ten bytes!")
        try output.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data("ten bytes!".utf8))
    }

    @Test func bytesOutsideTheMappingAreWrittenNotCopied() throws {
        let dir = try TemporaryDirectory("atomic-out")
        let (file, _) = try Self.sourceFile(dir, count: 64)
        let path = dir.url("out.bin").path
        let output = try AtomicOutputFile(path: path)
        let own: [UInt8] = [1, 2, 3, 4, 5]
        try own.withUnsafeBytes { try output.copy($0, from: file) }
        try output.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(own))
    }

    @Test func droppedAfterAReservationLeavesNothing() throws {
        let dir = try TemporaryDirectory("atomic-out")
        do {
            let output = try AtomicOutputFile(path: dir.url("out.bin").path)
            try output.reserve(byteCount: 4 << 20)
            try output.write("partial")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func mappedFileOffsetsAreThoseOfItsOwnBytesOnly() throws {
        let dir = try TemporaryDirectory("atomic-out")
        let (file, _) = try Self.sourceFile(dir, count: 100)
        #expect(file.fileOffset(of: UnsafeRawBufferPointer(rebasing: file.bytes[40..<100])) == 40)
        #expect(file.fileOffset(of: UnsafeRawBufferPointer(rebasing: file.bytes[0..<0])) == 0)
        let other: [UInt8] = [0]
        #expect(other.withUnsafeBytes { file.fileOffset(of: $0) } == nil)
        #expect(file.descriptor >= 0)
    }
}
