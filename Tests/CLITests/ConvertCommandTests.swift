import CheckpointIO
import Foundation
import Testing
import TestSupport

/// `lsg-convert [convert] MODEL ...` end to end through the built binary.
@Suite struct ConvertCommandTests {
    @Test("convert is the default subcommand; the output folder is complete")
    func defaultSubcommand() throws {
        let temp = try TemporaryDirectory("lsg-cli")
        let result = try CommandRunner.run([Fixtures.path("conversion/sources/tiny-mlm"), "--max-len", "1024", "--output", temp.url("out").path],
                                           currentDirectory: temp.url)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: temp.url("out").path))
        #expect(files.isSuperset(of: ["model.safetensors", "config.json", "tokenizer_config.json", "vocab.json", "lsg_conversion.json"]))
        #expect(result.stdout.contains("LSGRobertaForMaskedLM, 1026 positions"))
        #expect(!result.stdout.contains("not found"))
        // The modeling file comes from the binary and is the repository's modeling/ file byte for byte.
        #expect(try Data(contentsOf: temp.url("out/modeling_lsg_roberta.py")) == Data(contentsOf: Fixtures.root.appendingPathComponent("modeling/modeling_lsg_roberta.py")))
        #expect(result.stdout.contains("6   modeling files         PASS"))
        let config = try ModelFolder.readJSON(temp.url("out/config.json"))
        #expect(config["max_position_embeddings"]?.intValue == 1026)
        #expect(config["_name_or_path"]?.stringValue == temp.url("out").path)
        // The provenance record names the source weights by sha256.
        let record = try ModelFolder.readJSON(temp.url("out/lsg_conversion.json"))
        let weights = try #require(record["source"]?["weights"]?.arrayValue?.first)
        #expect(weights["file"]?.stringValue == "model.safetensors")
        // `sha256sum fixtures/conversion/sources/tiny-mlm/model.safetensors`
        #expect(weights["sha256"]?.stringValue == "23bf040c40c24c1dc5bc0e704aed1d6e54a458fa8290f3ce7c86760dbfe2b287")
    }

    @Test("the shipped tiny model converts to 4096 (the README's first conversion)")
    func shippedTinyModel() throws {
        let temp = try TemporaryDirectory("lsg-cli")
        let result = try CommandRunner.run([Fixtures.path("models/tiny-roberta-mlm"), "--max-len", "4096", "-o", temp.url("tiny").path, "-q"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let weights = try SafetensorsFile(path: temp.url("tiny/model.safetensors").path)
        #expect(weights.info(named: "roberta.embeddings.position_embeddings.weight")?.shape == [4098, 32])
        #expect(weights.info(named: "roberta.embeddings.global_embeddings.weight")?.shape == [512, 32])
        #expect(try ModelFolder.readJSON(temp.url("tiny/config.json"))["architectures"] == .array([.string("LSGRobertaForMaskedLM")]))
    }

    @Test("a copy of the binary alone still writes the modeling files (they are embedded, not looked up)")
    func copiedBinaryWritesModelingFiles() throws {
        let temp = try TemporaryDirectory("lsg-cli")
        let binary = temp.url("lsg-convert")
        try FileManager.default.copyItem(at: CommandRunner.executableURL, to: binary)
        let result = try CommandRunner.run(executable: binary,
                                           ["convert", Fixtures.path("conversion/sources/tiny-mlm"), "--max-len", "512", "-o", temp.url("out").path, "-q"],
                                           environment: ["HOME": temp.path, "VIRTUAL_ENV": "", "CONDA_PREFIX": "", "PATH": "/nonexistent"],
                                           currentDirectory: temp.url)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: temp.url("out/modeling_lsg_roberta.py")) == Data(contentsOf: Fixtures.root.appendingPathComponent("modeling/modeling_lsg_roberta.py")))
        let record = try ModelFolder.readJSON(temp.url("out/lsg_conversion.json"))
        #expect(record["modeling_files"]?.objectValue?.map(\.0).contains("modeling_lsg_roberta.py") == true)
        #expect(record["modeling_file_override"] == .bool(false))
    }

    @Test("--modeling-file replaces the built-in module; it must carry the module's name")
    func modelingFileOverride() throws {
        let temp = try TemporaryDirectory("lsg-cli")
        let modeling = temp.url("modeling_lsg_roberta.py")
        try Data("# a user's own remote code\n".utf8).write(to: modeling)
        let result = try CommandRunner.run(["convert", Fixtures.path("conversion/sources/tiny-mlm"), "--max-len", "512", "-o", temp.url("out").path,
                                            "--modeling-file", modeling.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(try Data(contentsOf: temp.url("out/modeling_lsg_roberta.py")) == Data(contentsOf: modeling))
        #expect(result.stdout.contains("6   modeling files         SKIP    not run"))

        let wrongName = temp.url("my_modeling.py")
        try Data("# x\n".utf8).write(to: wrongName)
        let refused = try CommandRunner.run(["convert", Fixtures.path("conversion/sources/tiny-mlm"), "--max-len", "512", "-o", temp.url("out2").path,
                                             "--modeling-file", wrongName.path])
        #expect(refused.exitCode == 2)
        #expect(refused.stderr.contains("my_modeling.py: must be named modeling_lsg_roberta.py"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.url("out2").path))
        let missing = try CommandRunner.run(["convert", Fixtures.path("conversion/sources/tiny-mlm"), "-o", temp.url("out3").path,
                                             "--modeling-file", temp.url("nope/modeling_lsg_roberta.py").path])
        #expect(missing.exitCode == 2)
        #expect(missing.stderr.contains("cannot be read"), "\(missing.stderr)")
    }

    @Test("--dry-run prints the plan and writes nothing")
    func dryRun() throws {
        let temp = try TemporaryDirectory("lsg-cli")
        let result = try CommandRunner.run([Fixtures.path("conversion/sources/tiny-model"), "--architecture", "RobertaForMaskedLM",
                                            "--dry-run", "-o", temp.url("out").path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Target: LSGRobertaForMaskedLM"))
        #expect(result.stdout.contains("lm_head.dense.weight"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test("an invalid option is an error saying why, and writes nothing")
    func invalidOption() throws {
        let temp = try TemporaryDirectory("lsg-cli")
        let result = try CommandRunner.run([Fixtures.path("conversion/sources/tiny-mlm"), "--block-size", "12", "--sparse-block-size", "12",
                                            "--sparsity-factor", "4", "-o", temp.url("out").path])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("error: block_size: block_size / sparsity_factor = 12/4 = 3 is odd"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test("--set parses JSON-typed values")
    func setValues() throws {
        let temp = try TemporaryDirectory("lsg-cli")
        let result = try CommandRunner.run([Fixtures.path("conversion/sources/tiny-mlm"), "--max-len", "256", "-o", temp.url("out").path, "-q",
                                            "--architecture", "RobertaForSequenceClassification",
                                            "--set", "num_labels=4", "--set", "classifier_dropout=0.3", "--set", "problem_type=single_label_classification",
                                            "--set", "sparsity_type=null"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let config = try ModelFolder.readJSON(temp.url("out/config.json"))
        #expect(config["id2label"]?.objectValue?.count == 4)
        #expect(config["classifier_dropout"] == .double(0.3))
        #expect(config["problem_type"]?.stringValue == "single_label_classification")
        #expect(config["sparsity_type"] == .null)
    }

    @Test("a missing model folder names where it looked")
    func missingModel() throws {
        let result = try CommandRunner.run(["/nonexistent/roberta"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("/nonexistent/roberta"))
    }
}

/// MODEL as a Hugging Face cache name: a hand-made cache whose snapshot files are symlinks into
/// `blobs/` (as huggingface_hub lays them out).
@Suite struct ConvertFromCacheTests {
    @Test("a cache name converts; the output holds real files; provenance records the revision and the blob's sha256")
    func cacheName() throws {
        let temp = try TemporaryDirectory("lsg-cache")
        let fm = FileManager.default
        let repo = temp.url("hub/models--FacebookAI--roberta-base")
        let commit = "0123456789abcdef0123456789abcdef01234567"
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        try fm.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try fm.createDirectory(at: repo.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/main"))
        let source = Fixtures.url("conversion/sources/tiny-mlm")
        let weightsSHA = "8f7a5f7c1cbbd0ba0ea43e26aef7e5a83b2bb7b1a3f1f6cf8ff6a0c7f1f0d2a3"  // not the real hash: must be taken from the name
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            let blobName = name == "model.safetensors" ? weightsSHA : "blob-\(name)"
            try fm.copyItem(at: source.appendingPathComponent(name), to: repo.appendingPathComponent("blobs/\(blobName)"))
            try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path, withDestinationPath: "../../blobs/\(blobName)")
        }
        let output = temp.url("out")
        let result = try CommandRunner.run(["roberta-base", "--max-len", "512", "-o", output.path, "-q"],
                                           environment: ["HF_HUB_CACHE": temp.url("hub").path, "HF_HUB_OFFLINE": "1"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        for name in try fm.contentsOfDirectory(atPath: output.path) {
            #expect((try? fm.destinationOfSymbolicLink(atPath: output.appendingPathComponent(name).path)) == nil, "\(name) is a link")
        }
        let record = try ModelFolder.readJSON(output.appendingPathComponent("lsg_conversion.json"))
        #expect(record["source"]?["revision"]?.stringValue == commit)
        #expect(record["source"]?["name"]?.stringValue == "roberta-base")
        #expect(record["source"]?["path"]?.stringValue == snapshot.standardizedFileURL.path)
        #expect(record["source"]?["weights"]?.arrayValue?.first?["sha256"]?.stringValue == weightsSHA)
        #expect(try ModelFolder.readJSON(output.appendingPathComponent("tokenizer_config.json"))["model_max_length"]?.intValue == 512)
    }

    @Test("an unknown name lists where it looked")
    func unknownName() throws {
        let temp = try TemporaryDirectory("lsg-cache")
        let result = try CommandRunner.run(["org/missing-model", "-o", temp.url("out").path],
                                           environment: ["HF_HUB_CACHE": temp.url("hub").path, "HF_HUB_OFFLINE": "1"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("models--org--missing-model"))
    }
}
