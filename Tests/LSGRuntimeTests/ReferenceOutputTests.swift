import CheckpointIO
import Foundation
import LSGRuntime
import Testing

/// The runtime against outputs of the real reference (lsg-converter 0.1.9 LSGRoberta* classes and
/// transformers 4.36.2 RobertaForMaskedLM, CPU float32), one test per fixture case.
@Suite("Reference outputs")
struct ReferenceOutputTests {
    @Test("matches the reference", arguments: ReferenceCase.names)
    func matchesReference(_ name: String) throws {
        let reference = try ReferenceCase(name)
        let model = try reference.loadModel()
        let ids = try reference.int64s("input_ids")
        let mask = try reference.int64s("attention_mask")
        let projections = try reference.lshProjections()
        let recorded = RecordedLSHProjections(projections)
        let output = try model.forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values,
                                       lshProjections: recorded)
        #expect(recorded.remaining == 0, "every recorded LSH projection is used")

        let expected = try #require(try reference.floats("last_hidden_state"))
        #expect(output.lastHiddenState.shape == expected.shape)
        let hiddenError = maxAbsDifference(output.lastHiddenState.values, expected.values)
        #expect(hiddenError < 1e-4, "last_hidden_state max abs error \(hiddenError)")

        for name in ["logits", "start_logits", "end_logits", "pooler_output"] {
            guard let want = try reference.floats(name) else { continue }
            let got = try #require(output[name], "missing output \(name)")
            #expect(got.shape == want.shape, "\(name) shape")
            let error = maxAbsDifference(got.values, want.values)
            #expect(error < 1e-3, "\(name) max abs error \(error)")
        }
    }

    @Test("the fixture set covers every sparsity type and the original RoBERTa")
    func coverage() {
        let names = Set(ReferenceCase.names)
        for type in SparsityType.allCases {
            #expect(names.contains("type-\(type.rawValue)-8-8-2-batch"))
        }
        #expect(names.contains("roberta-batch"))
    }
}
