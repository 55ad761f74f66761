import CheckpointIO
import Foundation
@testable import LSGRuntime
import Testing
import TestSupport

/// `WeightStore(releasesPagesAfterUse: true)` (the conversion's one-shot check, issue 14) gives mapped
/// weight pages back after each use and slices large weights: the outputs must not change by a bit.
@Suite("Weight page release")
struct PageReleaseTests {
    @Test("a model whose weights release their pages computes exactly what the resident model does, twice")
    func modelOutputsUnchanged() throws {
        let folder = try ModelFolder(url: Fixtures.url("runtime/lsg-mlm"))
        let config = try ModelConfig(json: folder.config)
        let reference = try ReferenceCase("type-norm-8-8-2-batch")
        let ids = try reference.int64s("input_ids"), mask = try reference.int64s("attention_mask")
        let resident = try RuntimeModel(config: config, weights: WeightStore(sources: [folder.openWeights()]))
        let releasing = try RuntimeModel(config: config, weights: WeightStore(sources: [folder.openWeights()], releasesPagesAfterUse: true))
        let expected = try resident.forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values)
        for _ in 0..<2 {
            let got = try releasing.forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values)
            #expect(got.lastHiddenState.values == expected.lastHiddenState.values)
            #expect(got.logits?.values == expected.logits?.values)
        }
    }

    @Test("a linear layer over 16 MiB runs in released slices with the same outputs", arguments: [3, 40])
    func slicedLinearUnchanged(rows: Int) throws {
        let dir = try TemporaryDirectory()
        let path = dir.url("big.safetensors").path
        let out = 6000, inputs = 768   // 18.4 MB of weights: two slices of 5424 and 576 rows
        try SafetensorsWriter.write([
            SafetensorsWriter.Entry(name: "w.weight", shape: [out, inputs], floats: KernelTests.values(out * inputs, seed: 7)),
            SafetensorsWriter.Entry(name: "w.bias", shape: [out], floats: KernelTests.values(out, seed: 8)),
        ], to: path)
        let x = Matrix(rows: rows, cols: inputs, values: KernelTests.values(rows * inputs, seed: 9))
        let resident = try Linear(WeightStore(sources: [SafetensorsFile(path: path)]), "w", in: inputs, out: out)
        let releasing = try Linear(WeightStore(sources: [SafetensorsFile(path: path)], releasesPagesAfterUse: true), "w", in: inputs, out: out)
        let expected = resident(x).toArray()
        #expect(releasing(x).toArray() == expected)
        #expect(releasing(x).toArray() == expected)
    }
}
