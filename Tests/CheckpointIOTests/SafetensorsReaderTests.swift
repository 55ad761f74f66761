import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// Reads the files Python's `safetensors` wrote (fixtures/make_tiny_models.py) and compares with the
/// values torch recorded in expected.json.
@Suite struct SafetensorsReaderTests {
    static let expected: JSONValue = try! ModelFolder.readJSON(Fixtures.url("safetensors/expected.json"))

    func check(_ source: any TensorSource, against table: JSONValue) throws {
        let entries = try #require(table.objectValue)
        #expect(Set(source.tensorNames) == Set(entries.map(\.0)))
        for (name, want) in entries {
            let tensor = try source.tensor(named: name)
            #expect(tensor.info.shape == want["shape"]?.arrayValue?.compactMap(\.intValue), "\(name)")
            let values = tensor.floats()
            let sum = values.reduce(0.0) { $0 + Double($1) }
            let wantSum = try #require(want["sum"]?.doubleValue)
            #expect(abs(sum - wantSum) <= 1e-9 * max(1, abs(wantSum)) + 1e-9, "\(name): sum \(sum) vs \(wantSum)")
            for sample in want["samples"]?.arrayValue ?? [] {
                let pair = try #require(sample.arrayValue)
                let index = try #require(pair[0].intValue)
                #expect(Double(values[index]) == pair[1].doubleValue, "\(name)[\(index)]")
            }
        }
    }

    @Test(arguments: ["tiny-f32", "tiny-f16", "tiny-bf16"])
    func readsFloatFilesLikeTorch(_ name: String) throws {
        let file = try SafetensorsFile(path: Fixtures.path("safetensors/\(name).safetensors"))
        #expect(file.metadata == ["format": "pt"])
        let table = try #require(Self.expected[name])
        let dtype = try #require(table.objectValue?.first?.1["dtype"]?.stringValue)
        #expect(file.tensorInfos.allSatisfy { $0.dtype.rawValue == dtype })
        try check(file, against: table)
    }

    @Test func readsIntegerBoolScalarAndEmptyTensors() throws {
        let file = try SafetensorsFile(path: Fixtures.path("safetensors/buffers.safetensors"))
        #expect(try file.tensor(named: "position_ids").int64s() == (0..<10).map(Int64.init))
        #expect(try file.tensor(named: "flag").int64s() == [1, 0])
        #expect(try file.tensor(named: "i32").int64s() == [-3, -2, -1, 0, 1, 2])
        #expect(try file.tensor(named: "scalar").floats() == [2.5])
        #expect(file.info(named: "scalar")?.shape == [])
        #expect(try file.tensor(named: "empty").floats().isEmpty)
        #expect(file.info(named: "flag")?.dtype == .bool)
    }

    @Test func tensorViewsAreZeroCopyIntoTheMapping() throws {
        let file = try SafetensorsFile(path: Fixtures.path("safetensors/tiny-f32.safetensors"))
        let tensor = try file.tensor(named: "roberta.embeddings.word_embeddings.weight")
        let base = try #require(file.file.bytes.baseAddress)
        let start = try #require(tensor.bytes.baseAddress)
        #expect(start >= base && start < base + file.file.count)
        #expect(Int(bitPattern: start) % 4 == 0)
    }

    @Test func unknownTensorIsNotFound() throws {
        let file = try SafetensorsFile(path: Fixtures.path("safetensors/tiny-f32.safetensors"))
        #expect(throws: CheckpointError.self) { try file.tensor(named: "nope") }
    }

    @Test func checkpointOpenSniffsSafetensors() throws {
        let source = try Checkpoint.open(path: Fixtures.path("safetensors/tiny-bf16.safetensors"))
        #expect(source.format == .safetensors)
    }

    @Test func readsShardedCheckpointAndCrossChecksTheIndex() throws {
        let sharded = try ShardedCheckpoint(indexPath: Fixtures.path("safetensors/sharded/model.safetensors.index.json"))
        #expect(sharded.format == .shardedSafetensors)
        #expect(sharded.shardNames.count == 4)
        let weightMap = try #require(Self.expected["sharded"]?["weight_map"]?.objectValue)
        #expect(Set(sharded.tensorNames) == Set(weightMap.map(\.0)))
        // Same values as the single file.
        let single = try SafetensorsFile(path: Fixtures.path("safetensors/tiny-f32.safetensors"))
        for name in sharded.tensorNames {
            #expect(try Array(sharded.tensor(named: name).bytes) == Array(single.tensor(named: name).bytes), "\(name)")
        }
    }

    @Test func modelFolderPrefersSafetensorsAndListsTokenizerFiles() throws {
        let folder = try ModelFolder(url: Fixtures.url("models/tiny-roberta-mlm"))
        #expect(folder.weightsURL.lastPathComponent == "model.safetensors")
        #expect(folder.modelType == "roberta")
        #expect(folder.architecture == "RobertaForMaskedLM")
        #expect(folder.tokenizerFiles.map(\.lastPathComponent).contains("tokenizer.json"))
        #expect(try folder.openWeights().tensorInfos.count > 20)
    }
}
