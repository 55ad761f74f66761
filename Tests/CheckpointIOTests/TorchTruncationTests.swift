import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// Real torch files cut short or with corrupted bytes: always a clean `CheckpointError` (for cuts)
/// and never a crash (for corruption, which may also go unnoticed inside tensor data).
@Suite struct TorchTruncationTests {
    enum Reader: Sendable { case zip, legacy }

    static let fixtures: [(String, Reader)] = [
        ("roberta.pt", .zip), ("roberta_bf16_deflated.pt", .zip), ("views.pt", .zip),
        ("roberta_legacy.bin", .legacy), ("views_legacy.bin", .legacy),
    ]

    /// Opens `path` and reads every tensor.
    private static func readAll(_ path: String, _ reader: Reader) throws {
        let source: any TensorSource = switch reader {
        case .zip: try TorchZipFile(path: path)
        case .legacy: try TorchLegacyFile(path: path)
        }
        for info in source.tensorInfos {
            let data = try source.tensor(named: info.name)
            _ = data.floats()
        }
    }

    /// Every 1/50th of the file, the first bytes and the last bytes.
    static func cutPoints(_ count: Int) -> [Int] {
        let step = max(1, count / 50)
        let points = Array(stride(from: 0, to: count, by: step)) + [1, 2, 3, 4, 14, 15, 16, 21, 22, 137]
            + [count - 1, count - 2, count - 8, count - 22, count - 23]
        return Array(Set(points.filter { $0 >= 0 && $0 < count })).sorted()
    }

    @Test(arguments: fixtures)
    func everyTruncationIsACleanError(fixture: String, reader: Reader) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TorchFixtures.path(fixture)))
        try Self.readAll(TorchFixtures.path(fixture), reader)   // the whole file reads
        let directory = try TemporaryDirectory("torch-truncated")
        for cut in Self.cutPoints(bytes.count) {
            let path = directory.url("cut-\(cut)").path
            try bytes.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect(throws: CheckpointError.self, "\(fixture) cut at \(cut)") { try Self.readAll(path, reader) }
        }
    }

    @Test(arguments: fixtures)
    func corruptedBytesNeverCrash(fixture: String, reader: Reader) throws {
        let original = try Data(contentsOf: URL(fileURLWithPath: TorchFixtures.path(fixture)))
        let directory = try TemporaryDirectory("torch-corrupt")
        // Deterministic positions (LCG); each copy gets one byte replaced by 0x00, 0xFF or bit-flipped.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var outcomes = (errors: 0, reads: 0)
        for trial in 0..<40 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let position = Int(state >> 33) % original.count
            var bytes = original
            bytes[position] = [0x00, 0xFF, bytes[position] ^ 0x10][trial % 3]
            let path = directory.url("corrupt-\(trial)").path
            try bytes.write(to: URL(fileURLWithPath: path))
            do {
                try Self.readAll(path, reader)
                outcomes.reads += 1
            } catch is CheckpointError {
                outcomes.errors += 1
            }
        }
        #expect(outcomes.errors + outcomes.reads == 40)
    }
}
