import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// Legacy `torch.save(..., _use_new_zipfile_serialization=False)` streams written by the real torch.
@Suite struct TorchLegacyFileTests {
    @Test(arguments: ["roberta_legacy.bin", "views_legacy.bin"])
    func readsWhatTorchWrote(fixture: String) throws {
        let file = try TorchLegacyFile(path: TorchFixtures.path(fixture))
        #expect(file.format == .pytorchLegacy)
        try TorchFixtures.check(file, references: file.tensorReferences, against: fixture)
    }

    @Test func persistedPositionIDsBufferIsRead() throws {
        // transformers < 4.31 saved `position_ids` = arange(34).expand((1, -1)): stride (0, 1).
        let file = try TorchLegacyFile(path: TorchFixtures.path("roberta_legacy.bin"))
        let ids = try file.tensor(named: "roberta.embeddings.position_ids")
        #expect(ids.info.dtype == .i64)
        #expect(ids.info.shape == [1, 34])
        #expect(ids.int64s() == (0..<34).map(Int64.init))
    }

    @Test func legacyMatchesZipValues() throws {
        let zip = try TorchZipFile(path: TorchFixtures.path("roberta.pt"))
        let legacy = try TorchLegacyFile(path: TorchFixtures.path("roberta_legacy.bin"))
        for info in zip.tensorInfos {
            #expect(try legacy.tensor(named: info.name).floats() == (try zip.tensor(named: info.name).floats()), "\(info.name)")
        }
        // Keys are pointer-like strings in legacy files; tied tensors still share one.
        let a = try #require(legacy.tensorReferences.first { $0.info.name == "lm_head.decoder.weight" })
        let b = try #require(legacy.tensorReferences.first { $0.info.name == "roberta.embeddings.word_embeddings.weight" })
        #expect(a.storageKey == b.storageKey)
    }

    @Test func unalignedViewsReadCorrectly() throws {
        // Legacy storages follow an 8-byte count with no padding: views are generally unaligned,
        // and withFloats must copy rather than reinterpret.
        let file = try TorchLegacyFile(path: TorchFixtures.path("views_legacy.bin"))
        let tail = try file.tensor(named: "flat_tail")
        let viaClosure = tail.withFloats { Array($0) }
        #expect(viaClosure == tail.floats())
        #expect(viaClosure.first == -0.5)
    }
}
