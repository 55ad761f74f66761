import CheckpointIO
import Foundation
import LSGRuntime
import ModelFamilies
import Testing

/// The runtime on BERT and LSG-BERT against the real reference (lsg-converter 0.1.9 LSGBert* classes,
/// transformers 4.36.2 BertForPreTraining, CPU float32; fixtures/make_bert_runtime_fixtures.py):
/// token types, BERT's arange positions (padding included), the pooler, the pre-training heads.
@Suite("BERT reference outputs")
struct BertReferenceOutputTests {
    static let root = "bert-runtime"
    static let outputNames = ["prediction_logits", "seq_relationship_logits", "logits", "start_logits", "end_logits", "pooler_output"]

    @Test("matches the reference", arguments: ReferenceCase.names(root: root))
    func matchesReference(_ name: String) throws {
        let reference = try ReferenceCase(name, root: Self.root)
        let model = try reference.loadModel()
        let ids = try reference.int64s("input_ids")
        let mask = try reference.int64s("attention_mask")
        let types = try reference.int64s("token_type_ids")
        let recorded = RecordedLSHProjections(try reference.lshProjections())
        let output = try model.forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values,
                                       tokenTypeIds: types.values, lshProjections: recorded)
        #expect(recorded.remaining == 0, "every recorded LSH projection is used")
        let expected = try #require(try reference.floats("last_hidden_state"))
        let flatShape = [ids.shape.dropLast().reduce(1, *), ids.shape.last!, model.config.hiddenSize]
        #expect(output.lastHiddenState.shape == expected.shape || expected.shape == flatShape)
        let hiddenError = maxAbsDifference(output.lastHiddenState.values, expected.values)
        #expect(hiddenError < 1e-4, "last_hidden_state max abs error \(hiddenError)")
        for key in Self.outputNames {
            guard let want = try reference.floats(key) else { continue }
            let got = try #require(output[key], "missing output \(key)")
            #expect(got.shape == want.shape, "\(key) shape")
            let error = maxAbsDifference(got.values, want.values)
            #expect(error < 1e-3, "\(key) max abs error \(error)")
        }
    }

    /// Without token types the runtime uses type 0, as the reference's buffer does; a pair's second
    /// segment changes the output (the test above would pass with types ignored only if it did not).
    @Test("token types matter and default to 0")
    func tokenTypesMatter() throws {
        let reference = try ReferenceCase("bert-batch", root: Self.root)
        let model = try reference.loadModel()
        let ids = try reference.int64s("input_ids")
        let zeros = [Int64](repeating: 0, count: ids.values.count)
        let implicit = try model.forward(inputIds: ids.values, shape: ids.shape)
        let explicit = try model.forward(inputIds: ids.values, shape: ids.shape, tokenTypeIds: zeros)
        #expect(implicit.lastHiddenState.values == explicit.lastHiddenState.values)
        let pairs = try model.forward(inputIds: ids.values, shape: ids.shape, tokenTypeIds: try reference.int64s("token_type_ids").values)
        #expect(maxAbsDifference(pairs.lastHiddenState.values, implicit.lastHiddenState.values) > 1e-2)
        #expect(throws: RuntimeError.self) {
            try model.forward(inputIds: ids.values, shape: ids.shape, tokenTypeIds: [Int64](repeating: 2, count: ids.values.count))
        }
    }

    @Test("the fixture set covers every sparsity type, every head and the original BERT")
    func coverage() {
        let names = Set(ReferenceCase.names(root: Self.root))
        for type in SparsityType.allCases { #expect(names.contains("type-\(type.rawValue)-8-8-2-batch")) }
        for head in ["masked-lm", "sequence-classification", "token-classification", "question-answering", "base-pooler", "multiple-choice"] {
            #expect(names.contains("head-\(head)"))
        }
        #expect(names.contains("bert-batch"))
    }
}
