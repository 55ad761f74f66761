import CheckpointIO
import Foundation
import Testing
import TestSupport

@Suite struct InspectCommandTests {
    @Test func jsonListsExactlyTheTensorsSafetensorsWrote() throws {
        let result = try CommandRunner.run(["inspect", Fixtures.path("safetensors/tiny-bf16.safetensors"), "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try JSONParser.parse(result.stdout)
        #expect(json["format"]?.stringValue == "safetensors")
        let expected = try #require(try ModelFolder.readJSON(Fixtures.url("safetensors/expected.json"))["tiny-bf16"]?.objectValue)
        let tensors = try #require(json["tensors"]?.arrayValue)
        #expect(tensors.count == expected.count)
        for tensor in tensors {
            let name = try #require(tensor["name"]?.stringValue)
            let want = try #require(expected.first { $0.0 == name }?.1)
            #expect(tensor["dtype"]?.stringValue == "BF16")
            #expect(tensor["shape"] == want["shape"])
        }
    }

    /// For every torch fixture, `inspect --json` lists exactly the tensors torch saved, in order, with
    /// the dtypes and shapes torch reported (fixtures/torch/expected.json, written by the real torch).
    @Test(arguments: ["roberta.pt", "roberta_legacy.bin", "roberta_bf16.pt", "roberta_f16_wrapped.pt",
                      "roberta_bf16_deflated.pt", "views.pt", "views_legacy.bin"])
    func jsonListsExactlyTheTensorsTorchWrote(_ file: String) throws {
        let expected = try #require(try ModelFolder.readJSON(Fixtures.url("torch/expected.json"))["files"]?[file]?.arrayValue)
        let result = try CommandRunner.run(["inspect", Fixtures.path("torch/\(file)"), "--json"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let json = try JSONParser.parse(result.stdout)
        #expect(json["format"]?.stringValue == (file.hasSuffix(".bin") ? "pytorch-legacy" : "pytorch-zip"))
        let tensors = try #require(json["tensors"]?.arrayValue)
        #expect(tensors.map { $0["name"] } == expected.map { $0["name"] })
        #expect(tensors.map { $0["dtype"] } == expected.map { $0["dtype"] })
        #expect(tensors.map { $0["shape"] } == expected.map { $0["shape"] })
    }

    @Test func modelFolderAndShardIndexAreAccepted() throws {
        let folder = try CommandRunner.run(["inspect", Fixtures.path("models/tiny-roberta-mlm")])
        #expect(folder.exitCode == 0)
        #expect(folder.stdout.contains("format: safetensors"))
        #expect(folder.stdout.contains("roberta.embeddings.position_embeddings.weight"))
        let sharded = try CommandRunner.run(["inspect", Fixtures.path("safetensors/sharded"), "--json"])
        #expect(sharded.exitCode == 0)
        #expect(try JSONParser.parse(sharded.stdout)["format"]?.stringValue == "sharded-safetensors")
    }

    @Test func corruptFileGivesOneLineNamingTheFileAndExitCode2() throws {
        let dir = try TemporaryDirectory()
        let path = dir.url("broken.safetensors").path
        let original = try Data(contentsOf: Fixtures.url("safetensors/tiny-f32.safetensors"))
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        let result = try CommandRunner.run(["inspect", path])
        #expect(result.exitCode == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(result.stderr.contains(path))
    }

    @Test func missingPathIsAClearError() throws {
        let result = try CommandRunner.run(["inspect", "/nonexistent/model"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("/nonexistent/model"))
    }
}
