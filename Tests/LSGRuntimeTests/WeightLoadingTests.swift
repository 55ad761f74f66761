import CheckpointIO
import Foundation
import LSGRuntime
import Testing
import TestSupport

/// Half-precision checkpoints are widened once at load; the result must equal running an F32 checkpoint
/// that holds the same (rounded) values.
@Suite("Weight loading")
struct WeightLoadingTests {
    /// Copies fixtures/runtime/lsg-mlm into `folder` with every float tensor rounded to bf16, stored either
    /// as BF16 or as the equivalent F32 values.
    static func writeRounded(to folder: URL, asBFloat16: Bool) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = Fixtures.url("runtime/lsg-mlm")
        try FileManager.default.copyItem(at: source.appendingPathComponent("config.json"),
                                         to: folder.appendingPathComponent("config.json"))
        let weights = try SafetensorsFile(path: source.appendingPathComponent("model.safetensors").path)
        let entries = try weights.tensorInfos.map { info -> SafetensorsWriter.Entry in
            let bits = try weights.tensor(named: info.name).floats().map { HalfPrecision.bfloat16(from: $0) }
            if asBFloat16 {
                return SafetensorsWriter.Entry(info: TensorInfo(name: info.name, dtype: .bf16, shape: info.shape)) { sink in
                    try sink.write(contentsOf: bits)
                }
            }
            return SafetensorsWriter.Entry(name: info.name, shape: info.shape, floats: bits.map { HalfPrecision.float(fromBFloat16: $0) })
        }
        try SafetensorsWriter.write(entries, to: folder.appendingPathComponent("model.safetensors").path)
    }

    @Test("a BF16 checkpoint runs exactly like the F32 checkpoint of the same values")
    func bfloat16IsWidenedOnce() throws {
        let dir = try TemporaryDirectory()
        try Self.writeRounded(to: dir.url("bf16"), asBFloat16: true)
        try Self.writeRounded(to: dir.url("f32"), asBFloat16: false)
        let reference = try ReferenceCase("type-norm-8-8-2-batch")
        let ids = try reference.int64s("input_ids"), mask = try reference.int64s("attention_mask")
        let half = try RuntimeModel(folder: dir.url("bf16").path).forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values)
        let full = try RuntimeModel(folder: dir.url("f32").path).forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values)
        #expect(half.lastHiddenState.values == full.lastHiddenState.values)
        #expect(half.logits?.values == full.logits?.values)
    }

    @Test("a missing tensor is reported by name")
    func missingTensor() throws {
        let dir = try TemporaryDirectory()
        let folder = dir.url("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.url("runtime/lsg-mlm/config.json"), to: folder.appendingPathComponent("config.json"))
        let weights = try SafetensorsFile(path: Fixtures.path("runtime/lsg-mlm/model.safetensors"))
        let kept = try weights.tensorInfos.filter { $0.name != "roberta.encoder.layer.1.output.dense.bias" }
            .map { SafetensorsWriter.Entry(data: try weights.tensor(named: $0.name)) }
        try SafetensorsWriter.write(kept, to: folder.appendingPathComponent("model.safetensors").path)
        #expect(throws: RuntimeError.missingWeight("roberta.encoder.layer.1.output.dense.bias")) {
            try RuntimeModel(folder: folder.path)
        }
    }
}
