import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// `torch.save` zip archives written by the real torch 2.13 (fixtures/make_torch_fixtures.py).
@Suite struct TorchZipFileTests {
    @Test(arguments: ["roberta.pt", "roberta_bf16.pt", "roberta_bf16_deflated.pt", "views.pt",
                      "sharded/pytorch_model-00001-of-00002.bin", "sharded/pytorch_model-00002-of-00002.bin"])
    func readsWhatTorchWrote(fixture: String) throws {
        let file = try TorchZipFile(path: TorchFixtures.path(fixture))
        #expect(file.format == .pytorchZip)
        #expect(file.wrapperPath.isEmpty)
        try TorchFixtures.check(file, references: file.tensorReferences, against: fixture)
    }

    @Test func archiveFolderIsFoundNotAssumed() throws {
        // torch names the folder after the file's stem.
        #expect(try TorchZipFile(path: TorchFixtures.path("roberta.pt")).archiveFolder == "roberta")
        #expect(try TorchZipFile(path: TorchFixtures.path("sharded/pytorch_model-00001-of-00002.bin")).archiveFolder == "pytorch_model-00001-of-00002")
    }

    @Test func tiedWeightsShareOneStorageAndAreZeroCopy() throws {
        let file = try TorchZipFile(path: TorchFixtures.path("roberta.pt"))
        let embeddings = try file.tensor(named: "roberta.embeddings.word_embeddings.weight")
        let decoder = try file.tensor(named: "lm_head.decoder.weight")
        #expect(embeddings.info.shape == [100, 32])
        #expect(decoder.bytes.baseAddress == embeddings.bytes.baseAddress)
        // (Compared outside #expect: the macro crashes Swift 6.3.1's SILGen on `AnyObject === MappedFile`.)
        let ownedByMapping = decoder.owner === file.file
        #expect(ownedByMapping)
        // torch aligns stored entries on 64 bytes (local-header "FB" padding).
        #expect(Int(bitPattern: embeddings.bytes.baseAddress!) % 64 == 0)
        let bias = try file.tensor(named: "lm_head.bias")
        #expect(Array(bias.bytes) == Array(try file.tensor(named: "lm_head.decoder.bias").bytes))
    }

    @Test func deflatedArchiveMatchesTheStoredOne() throws {
        let stored = try TorchZipFile(path: TorchFixtures.path("roberta_bf16.pt"))
        let deflated = try TorchZipFile(path: TorchFixtures.path("roberta_bf16_deflated.pt"))
        #expect(stored.tensorInfos == deflated.tensorInfos)
        for info in stored.tensorInfos {
            let inflated = try deflated.tensor(named: info.name)
            let ownedByMapping = inflated.owner === deflated.file
            #expect(!ownedByMapping)
            #expect(Array(inflated.bytes) == Array(try stored.tensor(named: info.name).bytes), "\(info.name)")
        }
        // Tied tensors come from one inflated storage.
        let a = try deflated.tensor(named: "roberta.embeddings.word_embeddings.weight")
        let b = try deflated.tensor(named: "lm_head.decoder.weight")
        #expect(a.bytes.baseAddress == b.bytes.baseAddress)
    }

    @Test func wrappedStateDictIsUnwrapped() throws {
        let file = try TorchZipFile(path: TorchFixtures.path("roberta_f16_wrapped.pt"))
        #expect(file.wrapperPath == ["state_dict"])
        try TorchFixtures.check(file, references: file.tensorReferences, against: "roberta_f16_wrapped.pt")
    }

    @Test func viewsKeepTheirStorageOffsets() throws {
        let file = try TorchZipFile(path: TorchFixtures.path("views.pt"))
        let tail = try #require(file.tensorReferences.first { $0.info.name == "tail" })
        let base = try #require(file.tensorReferences.first { $0.info.name == "base" })
        #expect(tail.storageKey == base.storageKey)
        #expect(tail.storageOffset == 4)
        // base = arange(24).reshape(6, 4) * 0.5 - 3; tail = base[1:] starts at element 4: -1.0.
        #expect(try file.tensor(named: "tail").floats().prefix(3) == [-1.0, -0.5, 0.0])
        #expect(try file.tensor(named: "scalar").floats() == [7.5])
        #expect(try file.tensor(named: "scalar").info.shape == [])
        #expect(try file.tensor(named: "empty").info.shape == [0, 4])
        #expect(try file.tensor(named: "position_ids").int64s() == [0, 1, 2, 3, 4])
    }

    @Test func nonContiguousTensorIsRefused() throws {
        let error = try #require(throws: CheckpointError.self) { try TorchZipFile(path: TorchFixtures.path("noncontiguous.pt")) }
        #expect(error.kind == .unsupported)
        #expect(error.tensor == "transposed")
        #expect(error.message.contains("not C-contiguous"))
    }

    @Test func unknownTensorIsNotFound() throws {
        let file = try TorchZipFile(path: TorchFixtures.path("views.pt"))
        let error = try #require(throws: CheckpointError.self) { try file.tensor(named: "nope") }
        #expect(error.kind == .notFound)
    }
}
