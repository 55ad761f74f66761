import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

@Suite struct ShardedCheckpointErrorTests {
    /// A copy of the sharded fixture whose index the test edits.
    func copyOfShardedFixture() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory("sharded")
        let source = Fixtures.url("safetensors/sharded")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: dir.url(name))
        }
        return dir
    }

    func editIndex(_ dir: TemporaryDirectory, _ edit: (inout [(String, JSONValue)]) -> Void) throws -> String {
        let path = dir.url("model.safetensors.index.json").path
        var index = try ModelFolder.readJSON(URL(fileURLWithPath: path))
        var map = index["weight_map"]!.objectValue!
        edit(&map)
        index.set("weight_map", .object(map))
        try index.serialized().write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func kind(_ path: String) -> CheckpointError.Kind? {
        do { _ = try ShardedCheckpoint(indexPath: path); return nil } catch let error as CheckpointError { return error.kind } catch { return nil }
    }

    @Test func missingShardIsReported() throws {
        let dir = try copyOfShardedFixture()
        try FileManager.default.removeItem(at: dir.url("model-00002-of-00004.safetensors"))
        #expect(kind(dir.url("model.safetensors.index.json").path) == .notFound)
    }

    @Test func tensorListedInTheWrongShardIsInconsistent() throws {
        let dir = try copyOfShardedFixture()
        let path = try editIndex(dir) { map in
            let i = map.firstIndex { $0.1.stringValue == "model-00001-of-00004.safetensors" }!
            map[i].1 = .string("model-00002-of-00004.safetensors")
        }
        #expect(kind(path) == .inconsistent)
    }

    @Test func tensorMissingFromTheIndexIsInconsistent() throws {
        let dir = try copyOfShardedFixture()
        let path = try editIndex(dir) { map in map.removeFirst() }
        #expect(kind(path) == .inconsistent)
    }

    @Test func listedTensorAbsentFromItsShardIsInconsistent() throws {
        let dir = try copyOfShardedFixture()
        let path = try editIndex(dir) { map in map.append(("ghost.weight", .string("model-00001-of-00004.safetensors"))) }
        #expect(kind(path) == .inconsistent)
    }

    @Test func shardNamesCannotEscapeTheFolder() throws {
        let dir = try copyOfShardedFixture()
        let path = try editIndex(dir) { map in map[0].1 = .string("../model-00001-of-00004.safetensors") }
        #expect(kind(path) == .malformed)
    }
}
