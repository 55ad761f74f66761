import CheckpointIO
import Foundation
import LSGRuntime
import Testing
import TestSupport

/// ``LSGSettings/maskGlobalKeys``: on the dense path, an LSG conversion with its global keys masked
/// (and `pool_with_global` / `mask_first_token` off) computes the original RoBERTa through the LSG
/// attention code (what `lsg-convert verify` check 5a relies on).
///
/// `fixtures/runtime/lsg-mlm` is the real `lsg_converter` 0.1.9 conversion of `roberta-mlm`; the
/// `roberta-*` cases hold the real transformers RobertaForMaskedLM outputs of that original.
@Suite("Global keys masked")
struct GlobalKeyMaskTests {
    /// The LSG conversion with config.json `overrides` (`pool_with_global` forced off) and the option.
    static func lsgModel(_ folder: String, overrides: [String: JSONValue], maskGlobalKeys: Bool) throws -> RuntimeModel {
        let modelFolder = try ModelFolder(url: Fixtures.url(folder))
        var config = try ModelConfig(json: modelFolder.config, overrides: overrides.merging(["pool_with_global": .bool(false)]) { $1 })
        var lsg = try #require(config.lsg)
        #expect(!lsg.maskFirstToken && !lsg.poolWithGlobal)
        lsg.maskGlobalKeys = maskGlobalKeys
        config.lsg = lsg
        return try RuntimeModel(config: config, weights: WeightStore(sources: [modelFolder.openWeights()]))
    }

    static func forward(_ model: RuntimeModel, _ reference: ReferenceCase) throws -> ModelOutput {
        let ids = try reference.int64s("input_ids"), mask = try reference.int64s("attention_mask")
        return try model.forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values)
    }

    /// Block shapes putting the case on the dense path (t <= 2·block_size), with 1 or 7 globals.
    static let denseCases: [(name: String, overrides: [String: JSONValue])] = [
        ("roberta-batch", ["block_size": .int(16), "sparse_block_size": .int(16), "sparsity_factor": .int(4)]),
        ("roberta-batch", ["block_size": .int(16), "sparse_block_size": .int(8), "sparsity_factor": .int(2),
                           "sparsity_type": .string("stride"), "num_global_tokens": .int(7)]),
        ("roberta-130", ["block_size": .int(128), "sparse_block_size": .int(128), "sparsity_factor": .int(2)]),
    ]

    @Test("dense path, globals masked: equals the original RoBERTa", arguments: 0..<denseCases.count)
    func denseEqualsRoberta(_ index: Int) throws {
        let (name, overrides) = Self.denseCases[index]
        let reference = try ReferenceCase(name)
        let ids = try reference.int64s("input_ids")
        let model = try Self.lsgModel("runtime/lsg-mlm", overrides: overrides, maskGlobalKeys: true)
        #expect(ids.shape[1] <= 2 * model.config.lsg!.blockSize, "the case must take the dense path")
        let output = try Self.forward(model, reference)

        // Against the original run by the runtime's dense RoBERTa path: the same model, different code.
        let roberta = try Self.forward(reference.loadModel(), reference)
        let hidden = maxAbsDifference(output.lastHiddenState.values, roberta.lastHiddenState.values)
        #expect(hidden <= 1e-5, "\(name) \(overrides): last_hidden_state vs runtime RoBERTa \(hidden)")
        if let logits = roberta.logits, let lsgLogits = output.logits {
            let error = maxAbsDifference(lsgLogits.values, logits.values)
            #expect(error <= 1e-4, "\(name): logits vs runtime RoBERTa \(error)")
        }

        // Against the real transformers RobertaForMaskedLM outputs recorded in the case.
        let expected = try #require(try reference.floats("last_hidden_state"))
        let error = maxAbsDifference(output.lastHiddenState.values, expected.values)
        #expect(error < 1e-4, "\(name): last_hidden_state vs reference RoBERTa \(error)")
        if let logits = try reference.floats("logits") {
            let logitsError = maxAbsDifference(try #require(output.logits).values, logits.values)
            #expect(logitsError < 1e-3, "\(name): logits vs reference RoBERTa \(logitsError)")
        }
    }

    @Test("dense path, globals NOT masked: differs from the original RoBERTa", arguments: 0..<denseCases.count)
    func unmaskedDiffers(_ index: Int) throws {
        let (name, overrides) = Self.denseCases[index]
        let reference = try ReferenceCase(name)
        let output = try Self.forward(Self.lsgModel("runtime/lsg-mlm", overrides: overrides, maskGlobalKeys: false), reference)
        let expected = try #require(try reference.floats("last_hidden_state"))
        let error = maxAbsDifference(output.lastHiddenState.values, expected.values)
        #expect(error > 1e-3, "\(name): the global keys should change the outputs, max |diff| \(error)")
    }

    /// The verify fixture at its own settings (block 128, norm, 1 global; pool_with_global off) on
    /// 256 random ids, the longest dense input, against the source model.
    @Test("tiny-lsg-1024 at 256 tokens, globals masked: equals tiny-roberta-mlm")
    func verifyFixtureDense() throws {
        var state: UInt64 = 0x9E37_79B9
        let ids: [Int64] = [0] + (0..<254).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int64(4 + (state >> 33) % 290)
        } + [2]
        let roberta = try RuntimeModel(folder: Fixtures.path("models/tiny-roberta-mlm"))
        let want = try roberta.forward(inputIds: ids, shape: [1, 256])
        for mask in [true, false] {
            let model = try Self.lsgModel("verify/tiny-lsg-1024", overrides: [:], maskGlobalKeys: mask)
            #expect(model.config.lsg!.blockSize == 128)
            let got = try model.forward(inputIds: ids, shape: [1, 256])
            let hidden = maxAbsDifference(got.lastHiddenState.values, want.lastHiddenState.values)
            let logits = maxAbsDifference(try #require(got.logits).values, try #require(want.logits).values)
            if mask {
                #expect(hidden <= 1e-5, "hidden \(hidden)")
                #expect(logits <= 1e-4, "logits \(logits)")
            } else {
                #expect(hidden > 1e-3, "hidden \(hidden) with the global keys attended")
            }
        }
    }

    /// The long path (t > 2·block_size) with the option on runs and gives finite outputs that differ
    /// from the globals-attended ones; no equality is expected (the attention is block-local there).
    @Test("long path, globals masked: finite and different", arguments: ["type-norm-8-8-2-batch", "globals-7", "type-lsh-8-8-2-batch"])
    func longPath(_ name: String) throws {
        let reference = try ReferenceCase(name)
        let ids = try reference.int64s("input_ids"), mask = try reference.int64s("attention_mask")
        let projections = try reference.lshProjections()
        var outputs: [[Float]] = []
        for option in [true, false] {
            let modelFolder = try ModelFolder(url: Fixtures.url("runtime/\(reference.model)"))
            var config = try ModelConfig(json: modelFolder.config, overrides: reference.overrides)
            config.lsg!.maskGlobalKeys = option
            let model = try RuntimeModel(config: config, weights: WeightStore(sources: [modelFolder.openWeights()]))
            #expect(ids.shape[1] > 2 * config.lsg!.blockSize, "the case must take the long path")
            let output = try model.forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask.values,
                                           lshProjections: RecordedLSHProjections(projections))
            outputs.append(output.lastHiddenState.values)
            for tensor in output.tensors {
                let nonFinite = tensor.values.filter { !$0.isFinite }.count
                #expect(nonFinite == 0, "\(name) \(tensor.name) finite (maskGlobalKeys \(option))")
            }
        }
        let expected = try #require(try reference.floats("last_hidden_state"))
        #expect(maxAbsDifference(outputs[1], expected.values) < 1e-4, "option off: the reference's outputs")
        #expect(maxAbsDifference(outputs[0], outputs[1]) > 1e-3, "option on: the global keys are masked")
    }
}
