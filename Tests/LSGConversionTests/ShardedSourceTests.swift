import CheckpointIO
import Foundation
import LSGConversion
import Testing
import TestSupport

/// A sharded source (index + 4 shards of the shipped tiny model) converts to exactly the bytes the
/// single-file source gives.
@Suite("Sharded sources")
struct ShardedSourceTests {
    @Test("sharded safetensors = single file")
    func sharded() throws {
        let temp = try TemporaryDirectory("lsg-sharded")
        let folder = temp.url("sharded")
        try FileManager.default.copyItem(at: Fixtures.url("safetensors/sharded"), to: folder)
        let single = Fixtures.url("models/tiny-roberta-mlm")
        for name in try FileManager.default.contentsOfDirectory(atPath: single.path) where name != "model.safetensors" && name != "config.json" {
            try FileManager.default.copyItem(at: single.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        var options = ConversionOptions()
        options.maxLength = 2048
        options.nameOrPath = "x"
        let plan = try ConversionFixtures.convert(folder, options: options, to: temp.url("a"))
        #expect(plan.sourceFormat == .shardedSafetensors)
        _ = try ConversionFixtures.convert(single, options: options, to: temp.url("b"))
        let a = try Data(contentsOf: temp.url("a/model.safetensors")), b = try Data(contentsOf: temp.url("b/model.safetensors"))
        #expect(a == b)
        #expect(try Data(contentsOf: temp.url("a/config.json")) == Data(contentsOf: temp.url("b/config.json")))
    }
}
