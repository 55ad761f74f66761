import CheckpointIO
import Foundation
import LSGConversion
import ModelFamilies
import ModelingFiles
import Testing
import TestSupport

/// Every conversion the real lsg-converter 0.1.9 made (fixtures/make_conversion_fixtures.py), redone
/// in Swift: each tensor must be bit-identical (sha256 of its bytes), random parts excepted, and the
/// config.json and tokenizer max length equal.
@Suite("Conversions match the reference bit for bit")
struct ReferenceDigestTests {
    static let cases = [
        "mlm-256", "mlm-1000", "mlm-2048", "mlm-4096", "mlm-4096-stride32", "mlm-4096-options", "model-to-mlm-4096",
        "mlm-to-seqcls-4096", "mlm-to-model-2048", "mlm-to-multiplechoice-2048", "model-to-model-2048",
        "mlm130-2048", "mlm-random-global-2048", "lsg-keep-first-4096", "lsg-resize-4096", "lsg-recompute-2048",
    ]

    @Test("safetensors source", arguments: cases)
    func matchesReference(_ name: String) throws {
        let digest = try ConversionFixtures.digest(name)
        let temp = try TemporaryDirectory("lsg-digest")
        let output = temp.url(name)
        _ = try ConversionFixtures.convert(ConversionFixtures.sourceURL(of: digest),
                                           options: ConversionFixtures.options(for: digest), to: output)
        try Self.compare(output: output, with: digest)
    }

    /// The reference loads a bf16 checkpoint in float32 and saves float32: `--dtype f32` must give its
    /// bytes exactly.
    @Test("bf16 source converted to f32 equals the reference")
    func bf16SourceAsFloat32() throws {
        let digest = try ConversionFixtures.digest("bf16-2048")
        let temp = try TemporaryDirectory("lsg-digest")
        var options = ConversionFixtures.options(for: digest)
        options.outputDType = .f32
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm-bf16"), options: options, to: temp.url("out"))
        try Self.compare(output: temp.url("out"), with: digest)
    }

    /// With `--dtype keep` the output stays bf16: each tensor is the f32 result (the reference's)
    /// rounded to nearest even.
    @Test("bf16 source kept in bf16 is the reference rounded to nearest even")
    func bf16SourceKept() throws {
        let temp = try TemporaryDirectory("lsg-digest")
        var options = ConversionOptions()
        options.maxLength = 2048
        let kept = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm-bf16"), options: options, to: temp.url("keep"))
        options.outputDType = .f32
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm-bf16"), options: options, to: temp.url("f32"))
        #expect(kept.config["torch_dtype"]?.stringValue == "bfloat16")
        let bf16 = try SafetensorsFile(path: temp.url("keep/model.safetensors").path)
        let f32 = try SafetensorsFile(path: temp.url("f32/model.safetensors").path)
        #expect(Set(bf16.tensorNames) == Set(f32.tensorNames))
        var globalsCompared = false
        for name in f32.tensorNames {
            let reference = try f32.tensor(named: name).floats().map(HalfPrecision.bfloat16(from:))
            let ours = try bf16.tensor(named: name)
            #expect(ours.info.dtype == .bf16, "\(name)")
            let bits = (0..<ours.info.elementCount).map { ours.bytes.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self) }
            #expect(bits == reference, "\(name)")
            if name.hasSuffix("global_embeddings.weight") { globalsCompared = true }
        }
        #expect(globalsCompared)
    }

    /// The reference's 1025 table has 1026 rows (its copy count is short, §4) although its config says
    /// 1027, so its output does not reload. Ours has 1027 rows; the first 1026 are the reference's and
    /// the last one continues the tiling (source row 2).
    @Test("1025 gives a valid 1027-row table equal to the reference where it has rows")
    func length1025() throws {
        let digest = try ConversionFixtures.digest("mlm-1025")
        let temp = try TemporaryDirectory("lsg-digest")
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: ConversionFixtures.options(for: digest),
                                           to: temp.url("out"))
        let file = try SafetensorsFile(path: temp.url("out/model.safetensors").path)
        let positions = try file.tensor(named: "roberta.embeddings.position_embeddings.weight")
        #expect(positions.info.shape == [1027, 32])
        let reference = try #require(digest.tensors["roberta.embeddings.position_embeddings.weight"])
        #expect(reference.shape == [1026, 32])
        #expect(ConversionFixtures.sha256(rows: Array(0..<1026), of: positions) == reference.sha256)
        let source = try SafetensorsFile(path: ConversionFixtures.source("tiny-mlm").appendingPathComponent("model.safetensors").path)
        let sourcePositions = try source.tensor(named: "roberta.embeddings.position_embeddings.weight")
        #expect(ConversionFixtures.sha256(rows: [1026], of: positions) == ConversionFixtures.sha256(rows: [2], of: sourcePositions))
        let config = try ModelFolder.readJSON(temp.url("out/config.json"))
        #expect(config["max_position_embeddings"]?.intValue == 1027)
        // Everything else is the reference's.
        for (name, tensor) in digest.tensors where name != "roberta.embeddings.position_embeddings.weight" {
            #expect(ConversionFixtures.sha256(try file.tensor(named: name).bytes) == tensor.sha256, "\(name)")
        }
    }

    /// XLM-RoBERTa and CamemBERT: tiny-mlm's weights under another model_type (same rules, other
    /// class names and remote-code module).
    /// (verbose-config-2048: a config.json that spells out every default and an old
    /// transformers_version, which save_pretrained drops / rewrites.)
    @Test("xlm-roberta and camembert sources; a verbose config", arguments: ["xlmr-2048", "camembert-2048", "verbose-config-2048"])
    func otherFamilies(_ name: String) throws {
        let digest = try ConversionFixtures.digest(name)
        let json = try ModelFolder.readJSON(Fixtures.url("conversion/digests/\(name).json"))
        let temp = try TemporaryDirectory("lsg-family")
        let source = temp.url("source")
        try FileManager.default.copyItem(at: ConversionFixtures.source("tiny-mlm"), to: source)
        var config = try ModelFolder.readJSON(source.appendingPathComponent("config.json"))
        for (key, value) in try #require(json["source_config_changes"]?.objectValue) { config.set(key, value) }
        try Data(config.serialized().utf8).write(to: source.appendingPathComponent("config.json"))
        _ = try ConversionFixtures.convert(source, options: ConversionFixtures.options(for: digest), to: temp.url("out"))
        try Self.compare(output: temp.url("out"), with: digest)
    }

    /// The global table depends only on the source (§5): an LSG MaskedLM source converted to
    /// LSGRobertaModel (prefix stripped) at another length keeps the reference's keep-first rows.
    @Test("keep-first global rows survive a change of head and length")
    func keepFirstOtherHead() throws {
        let digest = try ConversionFixtures.digest("lsg-keep-first-4096")
        let temp = try TemporaryDirectory("lsg-digest")
        var options = ConversionOptions()
        options.maxLength = 2048
        options.architecture = "LSGRobertaModel"
        options.keepFirstGlobalToken = true
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-lsg-1024"), options: options, to: temp.url("out"))
        let file = try SafetensorsFile(path: temp.url("out/model.safetensors").path)
        let globals = try file.tensor(named: "embeddings.global_embeddings.weight")
        #expect(ConversionFixtures.sha256(globals.bytes) == digest.tensors["roberta.embeddings.global_embeddings.weight"]?.sha256)
    }

    /// Compares a converted folder with a reference digest.
    /// `extraFiles`: files we write that the reference does not (sentence-transformers files).
    static func compare(output: URL, with digest: ConversionFixtures.Digest, extraFiles: Set<String> = []) throws {
        let file = try SafetensorsFile(path: output.appendingPathComponent("model.safetensors").path)
        #expect(Set(file.tensorNames) == Set(digest.tensors.keys), "tensor names")
        for (name, expected) in digest.tensors {
            guard let info = file.info(named: name) else { continue }
            #expect(info.dtype.rawValue == expected.dtype, "\(name) dtype")
            #expect(info.shape == expected.shape, "\(name) shape")
            if digest.randomTensors.contains(name) { continue }
            let data = try file.tensor(named: name)
            if let global = digest.globalRows, global.tensor == name {
                #expect(ConversionFixtures.sha256(rows: global.rows, of: data) == global.sha256, "\(name) deterministic rows")
            } else {
                #expect(ConversionFixtures.sha256(data.bytes) == expected.sha256, "\(name) bytes")
            }
        }
        var config = try ModelFolder.readJSON(output.appendingPathComponent("config.json"))
        let tokenizerConfig = try ModelFolder.readJSON(output.appendingPathComponent("tokenizer_config.json"))
        // Our one addition: `tokenizer_class` (the tokenizer's own, else the family's slow class), which
        // transformers 4.36's pipeline needs with remote code. The reference writes none.
        #expect(digest.config["tokenizer_class"] == nil)
        let family = try #require(ModelFamily.forModelType(config["model_type"]?.stringValue ?? ""))
        let expectedTokenizerClass = tokenizerConfig["tokenizer_class"]?.stringValue ?? family.slowTokenizerClass
        #expect(config["tokenizer_class"]?.stringValue == expectedTokenizerClass)
        config.remove("tokenizer_class")
        // Whole files: with no random part, model.safetensors is the reference's byte for byte (header,
        // tensor order, padding, metadata); config.json without that key is byte-identical when
        // `_name_or_path` is the same.
        if digest.randomTensors.isEmpty && digest.globalRows == nil {
            let bytes = try Data(contentsOf: output.appendingPathComponent("model.safetensors"))
            #expect(bytes.withUnsafeBytes { SHA256.hex($0) } == digest.modelFileSHA256, "model.safetensors bytes")
        }
        if config["_name_or_path"] == digest.config["_name_or_path"] {
            let text = try String(contentsOf: output.appendingPathComponent("config.json"), encoding: .utf8)
            // The key sits on one line of its own (`  "tokenizer_class": "...",`): dropping that line
            // gives the bytes of the reference's file.
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            let withoutKey = lines.filter { !$0.hasPrefix("  \"tokenizer_class\": ") }.joined(separator: "\n")
            #expect(lines.count == withoutKey.split(separator: "\n", omittingEmptySubsequences: false).count + 1)
            #expect(Data(withoutKey.utf8).withUnsafeBytes { SHA256.hex($0) } == digest.configFileSHA256, "config.json bytes")
        }
        // config.json: every key and value equal; `_name_or_path` is the output path in both.
        var ours = config, theirs = digest.config
        ours.remove("_name_or_path")
        theirs.remove("_name_or_path")
        #expect(ours.sortedKeys() == theirs.sortedKeys(), "config.json\nours:   \(ours.sortedKeys().serialized(indent: nil))\ntheirs: \(theirs.sortedKeys().serialized(indent: nil))")
        #expect(tokenizerConfig["model_max_length"]?.intValue == digest.modelMaxLength)
        // The reference's files, with our modeling files (the family's module and its relative imports)
        // instead of its own, plus the provenance record.
        let written = Set(try FileManager.default.contentsOfDirectory(atPath: output.path))
        // A family whose module is not built in yet converts without it (LSGConverter.plan warns).
        let modeling = ModelingFileSet.embedded.file(module: family.modelingModule) == nil ? []
            : try ModelingFileSet.embedded.closure(of: family.modelingModule)
        let expected = Set(digest.files.filter { !$0.hasPrefix("modeling_lsg_") }).union([Provenance.fileName])
            .union(modeling.map(\.name)).union(extraFiles)
        for file in modeling {
            #expect(try Data(contentsOf: output.appendingPathComponent(file.name)) == file.bytes, "\(file.name)")
        }
        #expect(written == expected)
        if let text = digest.generationConfigText {
            #expect(try String(contentsOf: output.appendingPathComponent("generation_config.json"), encoding: .utf8) == text)
        }
    }
}
