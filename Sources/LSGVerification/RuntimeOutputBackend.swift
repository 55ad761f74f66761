import CheckpointIO
import LSGRuntime
import ModelFamilies

/// ``OutputBackend`` on the bundled Float32 runtime: the original RoBERTa, the converted LSG model as
/// configured, and the converted LSG model with its global keys masked.
///
/// Equivalence (5a) runs the converted model through the runtime's LSG code, globals included, with
/// ``LSGSettings/maskGlobalKeys`` on and `pool_with_global` / `mask_first_token` off (sparsity as
/// configured): on the dense path (t <= 2 * block_size) every token query then attends to exactly
/// the tokens, as RoBERTa's full attention does (reference §7.3), so this is the "globals masked"
/// model of issue 8. The global queries still run but nothing reads their outputs; check 3b covers
/// the global table.
///
/// Both models run with the MLM head when both checkpoints carry `lm_head.*` (logits compared),
/// else with the bare encoder (hidden states only).
public final class RuntimeOutputBackend: OutputBackend {
    public let hiddenSize: Int
    public let vocabSize: Int
    public let notes: [String]
    let originalModel: RuntimeModel
    let lsgModel: RuntimeModel
    let globalsMaskedModel: RuntimeModel

    public init(subject: VerificationSubject) throws {
        // A bf16/f16 conversion is compared with the original rounded the same way (RNE).
        let wordName = subject.convertedBackboneName("embeddings.word_embeddings.weight")
        let originalSource: any TensorSource
        if let convertedDType = subject.convertedWeights.info(named: wordName)?.dtype,
           let originalWord = subject.originalBackboneName("embeddings.word_embeddings.weight"),
           let originalDType = subject.originalWeights.info(named: originalWord)?.dtype, convertedDType != originalDType {
            originalSource = RoundedTensorSource(subject.originalWeights, roundedTo: convertedDType)
            notes = ["original's weights rounded to \(convertedDType.safetensorsName) like the conversion's cast"]
        } else {
            originalSource = subject.originalWeights
            notes = []
        }
        let originalWeights = WeightStore(sources: [originalSource])
        let convertedWeights = WeightStore(sources: [subject.convertedWeights])
        let originalConfig: ModelConfig, convertedConfig: ModelConfig
        do {
            originalConfig = try ModelConfig(json: subject.original.config)
            convertedConfig = try ModelConfig(json: subject.config)
        } catch let RuntimeError.unsupported(message) {
            // A model the runtime does not implement (causal/cross attention...): skip, not fail.
            throw OutputChecksUnavailable(reason: "not run: the runtime does not support this model (\(message))")
        }
        let lmDense = convertedConfig.family.languageModel.dense + ".weight"
        let bothLM = originalWeights.contains(lmDense) && convertedWeights.contains(lmDense)
        let head: TaskHead = bothLM ? .maskedLM : .model
        var denseConfig = convertedConfig
        if var settings = denseConfig.lsg {
            settings.maskGlobalKeys = true
            settings.poolWithGlobal = false
            settings.maskFirstToken = false
            denseConfig.lsg = settings
        }
        originalModel = try RuntimeModel(config: originalConfig, weights: originalWeights, head: head)
        lsgModel = try RuntimeModel(config: convertedConfig, weights: convertedWeights, head: head)
        globalsMaskedModel = try RuntimeModel(config: denseConfig, weights: convertedWeights, head: head)
        hiddenSize = convertedConfig.hiddenSize
        vocabSize = convertedConfig.vocabSize
    }

    public func original(_ ids: [Int]) throws -> ModelOutputs {
        try Self.run(originalModel, ids)
    }

    public func lsg(_ ids: [Int], mode: LSGForwardMode) throws -> ModelOutputs {
        switch mode {
        case .globalsMaskedDense: try Self.run(globalsMaskedModel, ids)
        case .asConfigured: try Self.run(lsgModel, ids)
        }
    }

    /// Counts on the runtime's output buffers: a max-length MLM output is T x V floats (824 MB for
    /// roberta-base at 4096), not worth copying.
    public func lsgFiniteness(_ ids: [Int]) throws -> (values: Int, nonFinite: Int) {
        let output = try lsgModel.forward(inputIds: ids.map(Int64.init), shape: [1, ids.count])
        var values = 0, nonFinite = 0
        for tensor in output.tensors {
            let buffer = UnsafeBufferPointer(start: tensor.storage.data, count: tensor.storage.rows * tensor.storage.cols)
            values += buffer.count
            for value in buffer where !value.isFinite { nonFinite += 1 }
        }
        return (values, nonFinite)
    }

    static func run(_ model: RuntimeModel, _ ids: [Int]) throws -> ModelOutputs {
        let output = try model.forward(inputIds: ids.map(Int64.init), shape: [1, ids.count])
        return ModelOutputs(hidden: output.lastHiddenState.storage.toArray(), logits: output.logits?.storage.toArray())
    }
}
