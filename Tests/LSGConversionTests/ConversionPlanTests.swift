import CheckpointIO
import Foundation
import LSGConversion
import Testing
import TestSupport

/// The rule chosen for every tensor (what `--dry-run` prints), per source/target combination
/// (reference §3: "Combinations I observed").
@Suite("Conversion plan")
struct ConversionPlanTests {
    func plan(_ source: String, _ architecture: String? = nil, change: (inout ConversionOptions) -> Void = { _ in }) throws -> ConversionPlan {
        var options = ConversionOptions()
        options.architecture = architecture
        change(&options)
        return try ConversionFixtures.plan(ConversionFixtures.source(source), options: options)
    }

    @Test("MaskedLM -> MaskedLM: only the position table changes and the global table is new")
    func maskedLM() throws {
        let plan = try plan("tiny-mlm")
        #expect(plan.targetClass == "LSGRobertaForMaskedLM")
        #expect(plan.dropped.isEmpty)
        let special = plan.entries.filter { if case .copied = $0.rule { false } else { true } }.map(\.info.name)
        #expect(special == ["roberta.embeddings.position_embeddings.weight", "roberta.embeddings.global_embeddings.weight"])
        #expect(plan.entry(named: "roberta.embeddings.global_embeddings.weight")?.rule == .generatedGlobals(.deterministic(bos: 0, mask: 268, stride: 64, keepFirstRow: false)))
        #expect(plan.entry(named: "roberta.embeddings.position_embeddings.weight")?.info.shape == [4098, 32])
    }

    @Test("Model -> MaskedLM: prefix added, pooler dropped, lm_head new (random weights, zero biases, LayerNorm 1/0)")
    func modelToMaskedLM() throws {
        let plan = try plan("tiny-model", "RobertaForMaskedLM")
        #expect(plan.entry(named: "roberta.encoder.layer.0.attention.self.query.weight")?.rule == .renamed(from: "encoder.layer.0.attention.self.query.weight"))
        #expect(Set(plan.dropped.map(\.name)) == ["pooler.dense.weight", "pooler.dense.bias"])
        #expect(plan.entry(named: "lm_head.dense.weight")?.rule == .newTensor(.normal, std: 0.2))
        #expect(plan.entry(named: "lm_head.dense.bias")?.rule == .newTensor(.zeros, std: 0.2))
        #expect(plan.entry(named: "lm_head.layer_norm.weight")?.rule == .newTensor(.ones, std: 0.2))
        #expect(plan.entry(named: "lm_head.bias")?.info.shape == [269])
        #expect(plan.entry(named: "lm_head.decoder.weight") == nil)
    }

    @Test("MaskedLM -> Model: prefix stripped, lm_head dropped, pooler new")
    func maskedLMToModel() throws {
        let plan = try plan("tiny-mlm", "LSGRobertaModel")
        #expect(plan.targetClass == "LSGRobertaModel")
        #expect(plan.entry(named: "embeddings.word_embeddings.weight")?.rule == .renamed(from: "roberta.embeddings.word_embeddings.weight"))
        #expect(plan.entry(named: "pooler.dense.weight")?.rule == .newTensor(.normal, std: 0.2))
        #expect(plan.dropped.map(\.name).allSatisfy { $0.hasPrefix("lm_head.") })
        #expect(plan.dropped.count == 5)
    }

    @Test("QuestionAnswering and TokenClassification heads use num_labels")
    func heads() throws {
        let qa = try plan("tiny-mlm", "RobertaForQuestionAnswering")
        #expect(qa.entry(named: "qa_outputs.weight")?.info.shape == [2, 32])
        let token = try plan("tiny-mlm", "RobertaForTokenClassification") { $0.configOverrides = [(key: "num_labels", value: .int(7))] }
        #expect(token.entry(named: "classifier.weight")?.info.shape == [7, 32])
        let mc = try plan("tiny-model", "RobertaForMultipleChoice")
        #expect(mc.entry(named: "roberta.pooler.dense.weight")?.rule == .renamed(from: "pooler.dense.weight"))
        #expect(mc.entry(named: "classifier.weight")?.info.shape == [1, 32])
    }

    @Test("LSG source: --resize-lsg copies the global table, keep-first marks row 0 kept")
    func lsgSource() throws {
        let resize = try plan("tiny-lsg-1024") { $0.resizeLSG = true }
        #expect(resize.sourceIsLSG)
        #expect(resize.entry(named: "roberta.embeddings.global_embeddings.weight")?.rule == .copied(from: "roberta.embeddings.global_embeddings.weight"))
        let keep = try plan("tiny-lsg-1024") { $0.keepFirstGlobalToken = true }
        #expect(keep.entry(named: "roberta.embeddings.global_embeddings.weight")?.rule == .generatedGlobals(.deterministic(bos: 0, mask: 268, stride: 64, keepFirstRow: true)))
        // On a plain RoBERTa source both flags are ignored with a warning.
        let plain = try plan("tiny-mlm") { $0.resizeLSG = true; $0.keepFirstGlobalToken = true }
        #expect(plain.warnings.contains { $0.contains("--resize-lsg ignored") })
        #expect(plain.entry(named: "roberta.embeddings.global_embeddings.weight")?.rule == .generatedGlobals(.deterministic(bos: 0, mask: 268, stride: 64, keepFirstRow: false)))
    }

    @Test("--dtype casts every float tensor; generated tensors follow the model dtype")
    func dtype() throws {
        let half = try plan("tiny-mlm") { $0.outputDType = .f16 }
        #expect(half.entries.allSatisfy { $0.info.dtype == .f16 })
        #expect(half.config["torch_dtype"]?.stringValue == "float16")
        let kept = try plan("tiny-mlm-bf16", "RobertaForSequenceClassification")
        #expect(kept.entries.allSatisfy { $0.info.dtype == .bf16 })
    }

    @Test("dry-run text names every tensor with its rule")
    func description() throws {
        // Columns are padded to the longest label; compare with single spaces.
        let text = try plan("tiny-model", "RobertaForMaskedLM").description
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        #expect(text.contains("Target: LSGRobertaForMaskedLM, max length 4096 (4098 positions)"))
        #expect(text.contains("extended roberta.embeddings.position_embeddings.weight F32 [4098, 32] <- embeddings.position_embeddings.weight [514 rows]: rows 0-1 kept, rows 2-513 tiled 8x"))
        #expect(text.contains("renamed roberta.embeddings.word_embeddings.weight F32 [269, 32] <- embeddings.word_embeddings.weight"))
        #expect(text.contains("new random lm_head.dense.weight F32 [32, 32] normal(0, 0.2), seed 123"))
        #expect(text.contains("dropped pooler.dense.weight (LSGRobertaForMaskedLM has no pooler)"))
        #expect(text.contains("generated roberta.embeddings.global_embeddings.weight F32 [512, 32] positions ordered with stride 64 + word[0] (row 0) / word[268]"))
    }

    @Test("the special token ids come from the tokenizer files")
    func specialTokens() throws {
        let folder = try ModelFolder(url: ConversionFixtures.source("tiny-mlm"))
        #expect(SpecialTokenIDs.read(folder: folder.url, config: folder.config) == SpecialTokenIDs(bos: 0, mask: 268, eos: 2))
    }

    /// BERT: no bos token, so [CLS]; [SEP] ends sequences. A folder with only vocab.txt uses
    /// BertTokenizer's default token names, ids = line numbers.
    @Test("BERT special tokens from tokenizer.json, and from a bare vocab.txt")
    func bertSpecialTokens() throws {
        let source = Fixtures.url("bert-conversion/sources/bert-pretraining")
        let folder = try ModelFolder(url: source)
        #expect(SpecialTokenIDs.read(folder: folder.url, config: folder.config) == SpecialTokenIDs(bos: 2, mask: 4, eos: 3))
        let temp = try TemporaryDirectory("lsg-vocab-txt")
        for name in ["config.json", "vocab.txt"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: temp.url(name))
        }
        #expect(SpecialTokenIDs.read(folder: temp.url, config: .object([])) == SpecialTokenIDs(bos: 2, mask: 4, eos: 3))
    }

    @Test("a missing backbone tensor is an error naming it")
    func missingBackbone() throws {
        let folder = try ModelFolder(url: ConversionFixtures.source("tiny-mlm"))
        let source = DroppingSource(base: try folder.openWeights(), dropping: "roberta.encoder.layer.1.intermediate.dense.bias")
        let error = try #require(throws: ConversionError.self) {
            _ = try ConversionPlanner.plan(folder: folder, source: source, options: ConversionOptions())
        }
        #expect(error.kind == .invalidSource)
        #expect(error.subject == "roberta.encoder.layer.1.intermediate.dense.bias")
    }
}

/// A source without one tensor.
final class DroppingSource: TensorSource, @unchecked Sendable {
    let base: any TensorSource
    let dropping: String
    init(base: any TensorSource, dropping: String) { self.base = base; self.dropping = dropping }
    var format: CheckpointFormat { base.format }
    var tensorInfos: [TensorInfo] { base.tensorInfos.filter { $0.name != dropping } }
    var metadata: [String: String] { base.metadata }
    func tensor(named name: String) throws -> TensorData { try base.tensor(named: name) }
}
