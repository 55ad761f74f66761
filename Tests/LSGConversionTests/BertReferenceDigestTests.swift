import CheckpointIO
import Foundation
import LSGConversion
import ModelFamilies
import Testing
import TestSupport

/// Every BERT conversion the real lsg-converter 0.1.9 made (fixtures/make_bert_conversion_fixtures.py),
/// redone in Swift: each tensor bit-identical (sha256), random parts excepted; config.json and the
/// whole model.safetensors byte-identical where nothing is random; tokenizer max length equal.
@Suite("BERT conversions match the reference bit for bit")
struct BertReferenceDigestTests {
    static let root = "bert-conversion"
    static let cases = [
        "bert-pretraining-1000", "bert-pretraining-4096-stride32", "bert-pretraining-2048-options", "bert-zip-2048",
        "bert-legacy-1024", "bert-pretraining-to-mlm-2048", "bert-pretraining-to-lmhead-1024",
        "bert-pretraining-to-model-1024", "bert-pretraining-to-seqcls-1024", "bert-pretraining-to-tokencls-1024",
        "bert-pretraining-to-qa-1024", "bert-pretraining-to-multiplechoice-1024", "bert-noarch-1024",
        "bert-seqcls-2048", "bert-random-global-1024",
    ]

    @Test("BERT source", arguments: cases)
    func matchesReference(_ name: String) throws {
        let digest = try ConversionFixtures.digest(name, root: Self.root)
        let temp = try TemporaryDirectory("lsg-bert-digest")
        let output = temp.url(name)
        _ = try ConversionFixtures.convert(ConversionFixtures.sourceURL(of: digest),
                                           options: ConversionFixtures.options(for: digest), to: output)
        try ReferenceDigestTests.compare(output: output, with: digest)
    }

    /// The reference loads f16 / bf16 checkpoints in float32 and saves float32: `--dtype f32` gives its
    /// bytes exactly (the sharded f16 source exercises the index too).
    @Test("f16 sharded and bf16 sources converted to f32", arguments: ["bert-f16-sharded-1536", "bert-bf16-600"])
    func halfSourcesAsFloat32(_ name: String) throws {
        let digest = try ConversionFixtures.digest(name, root: Self.root)
        let temp = try TemporaryDirectory("lsg-bert-digest")
        var options = ConversionFixtures.options(for: digest)
        options.outputDType = .f32
        _ = try ConversionFixtures.convert(ConversionFixtures.sourceURL(of: digest), options: options, to: temp.url("out"))
        try ReferenceDigestTests.compare(output: temp.url("out"), with: digest)
    }

    /// With no `architectures`, BERT's default is `BertForPreTraining` (not ForMaskedLM as for RoBERTa):
    /// the pooler is copied from the BertModel source, `cls.*` is new.
    @Test("a config without architectures becomes LSGBertForPreTraining")
    func defaultArchitecture() throws {
        let plan = try ConversionFixtures.plan(Fixtures.url("\(Self.root)/sources/bert-model-noarch"), options: ConversionOptions())
        #expect(plan.targetClass == "LSGBertForPreTraining")
        #expect(plan.entry(named: "bert.pooler.dense.weight")?.rule == .renamed(from: "pooler.dense.weight"))
        #expect(plan.entry(named: "cls.seq_relationship.weight")?.rule == .newTensor(.normal, std: 0.2))
        #expect(plan.entry(named: "bert.embeddings.position_embeddings.weight")?.info.shape == [4096, 32])
    }

    /// A sentence-transformers export (BertModel + pooling module) converts as LSGBertModel exactly as
    /// the reference does, and keeps its sentence-transformers files (which the reference drops), with
    /// `max_seq_length` raised to the new length.
    @Test("sentence-transformers export: LSGBertModel, extra files copied")
    func sentenceTransformersExport() throws {
        let digest = try ConversionFixtures.digest("bert-sentence-2048", root: Self.root)
        let temp = try TemporaryDirectory("lsg-bert-sentence")
        let output = temp.url("out")
        let source = ConversionFixtures.sourceURL(of: digest)
        let plan = try ConversionFixtures.convert(source, options: ConversionFixtures.options(for: digest), to: output)
        #expect(plan.targetClass == "LSGBertModel")
        let extras: Set<String> = ["modules.json", "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling"]
        try ReferenceDigestTests.compare(output: output, with: digest, extraFiles: extras)
        for name in ["modules.json", "config_sentence_transformers.json", "1_Pooling/config.json"] {
            #expect(try Data(contentsOf: output.appendingPathComponent(name)) == Data(contentsOf: source.appendingPathComponent(name)), "\(name)")
        }
        let sentenceConfig = try ModelFolder.readJSON(output.appendingPathComponent("sentence_bert_config.json"))
        #expect(sentenceConfig["max_seq_length"]?.intValue == 2048)
        #expect(sentenceConfig["do_lower_case"] == (try ModelFolder.readJSON(source.appendingPathComponent("sentence_bert_config.json")))["do_lower_case"])

        // Without architectures the export still becomes the bare model (the reference would choose
        // BertForPreTraining and add random cls.* weights).
        let bare = temp.url("noarch")
        try FileManager.default.copyItem(at: source, to: bare)
        var config = try ModelFolder.readJSON(bare.appendingPathComponent("config.json"))
        config.remove("architectures")
        try Data(config.serialized().utf8).write(to: bare.appendingPathComponent("config.json"))
        #expect(try ConversionFixtures.plan(bare, options: ConversionOptions()).targetClass == "LSGBertModel")
    }

    /// A persisted `embeddings.position_ids` buffer is dropped, TF-era gamma/beta are renamed.
    @Test("legacy source: position_ids dropped, gamma/beta renamed")
    func legacyBuffersAndNames() throws {
        let plan = try ConversionFixtures.plan(Fixtures.url("\(Self.root)/sources/bert-pretraining-legacy"), options: ConversionOptions())
        #expect(plan.dropped.map(\.name).contains("bert.embeddings.position_ids"))
        #expect(plan.entry(named: "bert.embeddings.LayerNorm.weight")?.rule == .renamed(from: "bert.embeddings.LayerNorm.gamma"))
        #expect(plan.entry(named: "cls.predictions.transform.LayerNorm.bias")?.rule == .renamed(from: "cls.predictions.transform.LayerNorm.beta"))
    }
}
