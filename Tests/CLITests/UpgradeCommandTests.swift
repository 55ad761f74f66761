import CheckpointIO
import Foundation
import Testing
import TestSupport

/// `lsg-convert upgrade`: folders the real lsg-converter 0.1.9 wrote get our modeling files, with the
/// weights untouched and config.json changed only in what loading needs.
@Suite struct UpgradeCommandTests {
    static let ourModelingFile = Fixtures.root.appendingPathComponent("modeling/modeling_lsg_roberta.py")

    static func inode(_ url: URL) throws -> UInt64 {
        try #require(FileManager.default.attributesOfItem(atPath: url.resolvingSymlinksInPath().path)[.systemFileNumber] as? UInt64)
    }

    static func files(_ folder: URL) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: folder.path))
    }

    /// Checks an upgraded copy of `source`: weights the same inode (hard link, unless `source` is a
    /// copy of the upgraded folder), every other file identical except config.json (one added line,
    /// and the auto_map block when the source had none) and the modeling file (ours).
    static func expectUpgraded(_ output: URL, from source: URL, linked: Bool = true, tokenizerClass: String = "RobertaTokenizer") throws {
        #expect(try files(output) == files(source).union(["modeling_lsg_roberta.py"]))
        if linked {
            #expect(try inode(output.appendingPathComponent("model.safetensors")) == inode(source.appendingPathComponent("model.safetensors")))
        }
        for name in try files(source) where name != "config.json" && name != "modeling_lsg_roberta.py" {
            #expect(try Data(contentsOf: output.appendingPathComponent(name)) == Data(contentsOf: source.appendingPathComponent(name)), "\(name)")
        }
        #expect(try Data(contentsOf: output.appendingPathComponent("modeling_lsg_roberta.py")) == Data(contentsOf: ourModelingFile))
        // config.json: the reference's text plus the tokenizer_class line, nothing else.
        var before = try String(contentsOf: source.appendingPathComponent("config.json"), encoding: .utf8)
        let after = try String(contentsOf: output.appendingPathComponent("config.json"), encoding: .utf8)
        var sourceConfig = try ModelFolder.readJSON(source.appendingPathComponent("config.json"))
        if sourceConfig["auto_map"] == nil {
            // (conversion/sources/tiny-lsg-1024 was saved without auto_map: upgrade adds the family's.)
            sourceConfig.set("auto_map", try #require(ModelFolder.readJSON(Fixtures.url("verify/tiny-lsg-1024/config.json"))["auto_map"]))
            before = sourceConfig.sortedKeys().serialized(indent: 2) + "\n"
        }
        let added = "  \"tokenizer_class\": \"\(tokenizerClass)\","
        let afterLines = after.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(afterLines.filter { $0 != added } == before.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
        #expect(afterLines.count(where: { $0 == added }) == 1)
    }

    @Test("a folder the reference wrote: weights linked, tokenizer_class added, our modeling file; verify then passes",
          arguments: ["verify/tiny-lsg-1024", "verify/tiny-lsg-cls-600-bf16", "verify/tiny-lsg-pos130-256", "conversion/sources/tiny-lsg-1024"])
    func referenceFolder(_ fixture: String) throws {
        let temp = try TemporaryDirectory("lsg-upgrade")
        let source = Fixtures.url(fixture)
        let output = temp.url("up")
        let result = try CommandRunner.run(["upgrade", source.path, "--output", output.path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("config.json: tokenizer_class: (missing) -> \"RobertaTokenizer\""))
        #expect(result.stdout.contains("modeling_lsg_roberta.py: added"))
        try Self.expectUpgraded(output, from: source)
        // No temporary folder left beside the output.
        #expect(try Self.files(temp.url) == ["up"])
        if fixture.hasPrefix("verify/") {
            let original = fixture.contains("pos130") ? "verify/sources/tiny-roberta-pos130" : "models/tiny-roberta-mlm"
            let verified = try CommandRunner.run(["verify", output.path, "--against", Fixtures.path(original), "--length", "16"])
            #expect(verified.exitCode == 0, "\(verified.stdout)")
            #expect(verified.stdout.contains("6   modeling files         PASS    1/1 current"))
        }
    }

    @Test("--in-place replaces the folder atomically and is idempotent; the old modeling file is replaced")
    func inPlace() throws {
        let temp = try TemporaryDirectory("lsg-upgrade")
        let folder = temp.url("model")
        try FileManager.default.copyItem(at: Fixtures.url("verify/tiny-lsg-1024"), to: folder)
        let pristine = temp.url("pristine")
        try FileManager.default.copyItem(at: folder, to: pristine)
        // What lsg-converter 0.1.9's save writes beside the weights (its own file, unusable on transformers >= 4.45).
        try Data("# stand-in for lsg-converter 0.1.9's modeling_lsg_roberta.py\n".utf8).write(to: folder.appendingPathComponent("modeling_lsg_roberta.py"))
        try FileManager.default.copyItem(at: folder.appendingPathComponent("modeling_lsg_roberta.py"), to: pristine.appendingPathComponent("modeling_lsg_roberta.py"))
        let weightsInode = try Self.inode(folder.appendingPathComponent("model.safetensors"))

        let result = try CommandRunner.run(["upgrade", folder.path, "--in-place"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("modeling_lsg_roberta.py: replaced"))
        try Self.expectUpgraded(folder, from: pristine, linked: false)
        #expect(try Self.inode(folder.appendingPathComponent("model.safetensors")) == weightsInode)
        #expect(try Self.files(temp.url) == ["model", "pristine"])

        let again = try CommandRunner.run(["upgrade", folder.path, "--in-place"])
        #expect(again.exitCode == 0)
        #expect(again.stdout.contains("already current: nothing to do"))
        // And --output from an upgraded folder copies it unchanged.
        let copy = try CommandRunner.run(["upgrade", folder.path, "-o", temp.url("copy").path])
        #expect(copy.exitCode == 0, "\(copy.stderr)")
        for name in try Self.files(folder) {
            #expect(try Data(contentsOf: temp.url("copy/\(name)")) == Data(contentsOf: folder.appendingPathComponent(name)))
        }
    }

    @Test("auto_map pointing elsewhere is repointed to our module; a hand-ordered config keeps its order")
    func autoMapAndKeyOrder() throws {
        let temp = try TemporaryDirectory("lsg-upgrade")
        let folder = temp.url("model")
        try FileManager.default.copyItem(at: Fixtures.url("verify/tiny-lsg-1024"), to: folder)
        var config = try ModelFolder.readJSON(folder.appendingPathComponent("config.json"))
        var autoMap = try #require(config["auto_map"])
        autoMap.set("AutoModel", .string("ccdv/lsg-base-4096--modeling_lsg_roberta.LSGRobertaModel"))
        autoMap.remove("AutoModelForCausalLM")
        config.remove("auto_map")
        config = .object([("model_type", .string("roberta")), ("auto_map", autoMap)] + (config.objectValue ?? []).filter { $0.0 != "model_type" })
        try Data((config.serialized(indent: 2) + "\n").utf8).write(to: folder.appendingPathComponent("config.json"))

        let result = try CommandRunner.run(["upgrade", folder.path, "-o", temp.url("up").path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("auto_map.AutoModel: \"ccdv/lsg-base-4096--modeling_lsg_roberta.LSGRobertaModel\" -> \"modeling_lsg_roberta.LSGRobertaModel\""))
        #expect(result.stdout.contains("auto_map.AutoModelForCausalLM: (missing) -> \"modeling_lsg_roberta.LSGRobertaForCausalLM\""))
        let upgraded = try ModelFolder.readJSON(temp.url("up/config.json"))
        #expect(upgraded.objectValue?.prefix(2).map(\.0) == ["model_type", "auto_map"])
        #expect(upgraded.objectValue?.last?.0 == "tokenizer_class")
        #expect(upgraded["auto_map"] == (try ModelFolder.readJSON(Fixtures.url("verify/tiny-lsg-1024/config.json")))["auto_map"])
        var rest = upgraded, before = config
        for key in ["auto_map", "tokenizer_class"] { rest.remove(key); before.remove(key) }
        #expect(rest == before)
    }

    @Test("a CamemBERT LSG folder gets its module and the RoBERTa module it imports; auto_map names the CamemBERT classes")
    func camembertFamily() throws {
        let temp = try TemporaryDirectory("lsg-upgrade")
        let folder = temp.url("model")
        try FileManager.default.copyItem(at: Fixtures.url("verify/tiny-lsg-1024"), to: folder)
        var config = try ModelFolder.readJSON(folder.appendingPathComponent("config.json"))
        config.set("model_type", .string("camembert"))
        config.set("architectures", .array([.string("LSGCamembertForMaskedLM")]))
        try Data((config.serialized(indent: 2) + "\n").utf8).write(to: folder.appendingPathComponent("config.json"))
        let result = try CommandRunner.run(["upgrade", folder.path, "-o", temp.url("up").path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        for name in ["modeling_lsg_camembert.py", "modeling_lsg_roberta.py"] {
            #expect(try Data(contentsOf: temp.url("up/\(name)")) == Data(contentsOf: Fixtures.root.appendingPathComponent("modeling/\(name)")))
        }
        let upgraded = try ModelFolder.readJSON(temp.url("up/config.json"))
        #expect(upgraded["auto_map"]?["AutoModelForMaskedLM"] == .string("modeling_lsg_camembert.LSGCamembertForMaskedLM"))
        #expect(upgraded["auto_map"]?["AutoConfig"] == .string("modeling_lsg_camembert.LSGCamembertConfig"))
        // The tokenizer's own class is kept (the fixture's tokenizer_config.json says RobertaTokenizer).
        #expect(upgraded["tokenizer_class"] == .string("RobertaTokenizer"))
    }

    @Test("an LSG model from the Hugging Face cache, by name: blobs linked, the cache untouched, --in-place refused")
    func hubCacheModel() throws {
        let temp = try TemporaryDirectory("lsg-upgrade")
        let cache = temp.url("hub")
        let repo = cache.appendingPathComponent("models--ccdv--lsg-base-4096")
        let commit = String(repeating: "ab", count: 20)
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        try FileManager.default.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/main"))
        let source = Fixtures.url("verify/tiny-lsg-1024")
        var files = try Self.files(source).filter { $0 != "lsg_conversion.json" }
        try Data("# stand-in for lsg-converter 0.1.9's modeling_lsg_roberta.py\n".utf8).write(to: temp.url("old.py"))
        files.insert("modeling_lsg_roberta.py")
        for (index, name) in files.sorted().enumerated() {
            // huggingface_hub's layout: snapshot entries are relative symlinks to blobs/<etag>.
            let blob = repo.appendingPathComponent("blobs/blob\(index)")
            try FileManager.default.copyItem(at: name == "modeling_lsg_roberta.py" ? temp.url("old.py") : source.appendingPathComponent(name), to: blob)
            try FileManager.default.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path, withDestinationPath: "../../blobs/blob\(index)")
        }
        let environment = ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1"]
        let output = temp.url("lsg-base-4096-upgraded")
        let result = try CommandRunner.run(["upgrade", "ccdv/lsg-base-4096", "--output", output.path], environment: environment, currentDirectory: temp.url)
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("modeling_lsg_roberta.py: replaced"))
        // Real files in the output; the weights are the blob itself (hard link).
        let weights = output.appendingPathComponent("model.safetensors")
        #expect(try FileManager.default.attributesOfItem(atPath: weights.path)[.type] as? FileAttributeType == .typeRegular)
        #expect(try Self.inode(weights) == Self.inode(snapshot.appendingPathComponent("model.safetensors")))
        #expect(try Data(contentsOf: output.appendingPathComponent("modeling_lsg_roberta.py")) == Data(contentsOf: Self.ourModelingFile))
        #expect(try Data(contentsOf: snapshot.appendingPathComponent("modeling_lsg_roberta.py")) == Data(contentsOf: temp.url("old.py")))
        #expect(try ModelFolder.readJSON(output.appendingPathComponent("config.json"))["tokenizer_class"] == .string("RobertaTokenizer"))

        let inPlace = try CommandRunner.run(["upgrade", "ccdv/lsg-base-4096", "--in-place"], environment: environment, currentDirectory: temp.url)
        #expect(inPlace.exitCode == 2)
        #expect(inPlace.stderr.contains("is a Hugging Face cache snapshot; the cache is not modified, use --output DIR"), "\(inPlace.stderr)")
    }

    @Test("refused: a folder that is not LSG, a family without modeling files, an existing output, no destination")
    func refusals() throws {
        let temp = try TemporaryDirectory("lsg-upgrade")
        let plain = try CommandRunner.run(["upgrade", Fixtures.path("models/tiny-roberta-mlm"), "-o", temp.url("a").path])
        #expect(plain.exitCode == 2)
        #expect(plain.stderr.contains("is not an LSG model (config.json has no base_model_prefix \"lsg\" and architectures[0] = RobertaForMaskedLM is not an LSG class)"), "\(plain.stderr)")

        let other = temp.url("other")
        try FileManager.default.copyItem(at: Fixtures.url("verify/tiny-lsg-1024"), to: other)
        var config = try ModelFolder.readJSON(other.appendingPathComponent("config.json"))
        config.set("model_type", .string("deberta"))
        try Data(config.serialized().utf8).write(to: other.appendingPathComponent("config.json"))
        let unknown = try CommandRunner.run(["upgrade", other.path, "-o", temp.url("b").path])
        #expect(unknown.exitCode == 2)
        #expect(unknown.stderr.contains("model_type deberta is not a family lsg-convert has modeling files for"), "\(unknown.stderr)")

        try FileManager.default.createDirectory(at: temp.url("c"), withIntermediateDirectories: true)
        try Data("x".utf8).write(to: temp.url("c/keep"))
        let exists = try CommandRunner.run(["upgrade", Fixtures.path("verify/tiny-lsg-1024"), "-o", temp.url("c").path])
        #expect(exists.exitCode == 2)
        #expect(exists.stderr.contains("exists and is not empty (use --force to replace it)"))
        let forced = try CommandRunner.run(["upgrade", Fixtures.path("verify/tiny-lsg-1024"), "-o", temp.url("c").path, "--force"])
        #expect(forced.exitCode == 0, "\(forced.stderr)")
        #expect(!FileManager.default.fileExists(atPath: temp.url("c/keep").path))

        let dry = try CommandRunner.run(["upgrade", Fixtures.path("verify/tiny-lsg-1024"), "-o", temp.url("d").path, "--dry-run"])
        #expect(dry.exitCode == 0, "\(dry.stderr)")
        #expect(dry.stdout.contains("modeling_lsg_roberta.py: added"))
        #expect(dry.stdout.contains("weights kept: model.safetensors"))

        let neither = try CommandRunner.run(["upgrade", Fixtures.path("verify/tiny-lsg-1024")])
        #expect(neither.exitCode != 0)
        #expect(neither.stderr.contains("give exactly one of --output DIR and --in-place"))
        #expect(try Self.files(temp.url) == ["other", "c"])
    }
}
