// A RoBERTa or LSG-RoBERTa model ready to run on the CPU in Float32.
import CheckpointIO
import Foundation
import ModelFamilies

/// RoBERTa (transformers 4.36 semantics) or LSG-RoBERTa (lsg-converter 0.1.9 semantics), with its head.
///
/// Weights stay in the mapped checkpoint when they are F32 (see ``Weight``).
public final class RuntimeModel: @unchecked Sendable {
    public let config: ModelConfig
    public let head: TaskHead
    /// The family's backbone prefix (`roberta.`) for head checkpoints, empty for bare-model checkpoints.
    public let prefix: String
    let embeddings: Embeddings
    let layers: [EncoderLayer]
    let outputHead: OutputHead

    /// Builds the model from weights.
    /// - Parameters:
    ///   - head: overrides the head named by `config.architectures[0]`.
    public init(config: ModelConfig, weights: WeightStore, head: TaskHead? = nil) throws {
        self.config = config
        let head = head ?? config.head
        self.head = head
        // Head classes store the encoder under the family's prefix; bare-model checkpoints have none.
        let prefix: String
        let familyPrefix = config.family.backbonePrefix
        if weights.contains(familyPrefix + "embeddings.word_embeddings.weight") {
            prefix = familyPrefix
        } else if weights.contains("embeddings.word_embeddings.weight") {
            prefix = ""
        } else {
            throw RuntimeError.missingWeight(familyPrefix + "embeddings.word_embeddings.weight")
        }
        self.prefix = prefix
        embeddings = try Embeddings(weights, prefix: prefix + "embeddings.", config: config)
        layers = try (0..<config.numHiddenLayers).map {
            try EncoderLayer(weights, prefix: "\(prefix)encoder.layer.\($0).", config: config)
        }
        outputHead = try OutputHead(head, family: config.family, store: weights, prefix: prefix, config: config)
    }

    /// Opens a model folder: `config.json` and its weights (safetensors, PyTorch, sharded).
    /// - Parameters:
    ///   - overrides: config keys applied at load (`from_pretrained(..., key=value)`).
    ///   - extraSources: more tensors (e.g. a head), looked up after the folder's weights.
    public convenience init(folder: String, overrides: [String: JSONValue] = [:], head: TaskHead? = nil,
                            extraSources: [any TensorSource] = []) throws {
        let modelFolder = try ModelFolder(url: URL(fileURLWithPath: folder))
        let config = try ModelConfig(json: modelFolder.config, overrides: overrides)
        let weights = try modelFolder.openWeights()
        try self.init(config: config, weights: WeightStore(sources: [weights] + extraSources), head: head)
    }

    /// Runs the model.
    /// - Parameters:
    ///   - inputIds: row-major token ids of `shape` (`[batch, length]`, or `[batch, choices, length]`
    ///     for multiple choice).
    ///   - attentionMask: same shape, 1 = attend, 0 = padding (default all ones).
    ///   - tokenTypeIds: same shape, segment ids `< type_vocab_size` (default all zeros; BERT pairs).
    ///   - lshProjections: where `sparsity_type = "lsh"` gets its random projections (default: a
    ///     ``SeededLSHProjections`` with seed 0).
    /// - Returns: `last_hidden_state [batch, length, hidden]` and the head's outputs.
    public func forward(inputIds: [Int64], shape: [Int], attentionMask: [Int64]? = nil, tokenTypeIds: [Int64]? = nil,
                        lshProjections: LSHProjectionSource? = nil) throws -> ModelOutput {
        guard shape.count == 2 || (shape.count == 3 && head == .multipleChoice), shape.allSatisfy({ $0 > 0 }) else {
            throw RuntimeError.invalidInput("input_ids shape \(shape) (expected [batch, length]\(head == .multipleChoice ? " or [batch, choices, length]" : ""))")
        }
        let length = shape.last!
        let batch = shape.dropLast().reduce(1, *)
        guard inputIds.count == batch * length else {
            throw RuntimeError.invalidInput("\(inputIds.count) ids for shape \(shape)")
        }
        if let attentionMask, attentionMask.count != inputIds.count {
            throw RuntimeError.invalidInput("attention_mask has \(attentionMask.count) values for shape \(shape)")
        }
        if let tokenTypeIds, tokenTypeIds.count != inputIds.count {
            throw RuntimeError.invalidInput("token_type_ids has \(tokenTypeIds.count) values for shape \(shape)")
        }
        let mask = attentionMask ?? [Int64](repeating: 1, count: inputIds.count)
        let hidden = config.hiddenSize

        // Encoder geometry (lsg-reference.md §7.2).
        let globals = config.lsg?.numGlobalTokens ?? 0
        var padded = length
        if let s = config.lsg, length > 2 * s.blockSize, length % s.blockSize != 0 {
            guard s.adaptive else {
                throw RuntimeError.invalidInput("length \(length) is not a multiple of block_size \(s.blockSize) and adaptive is false (the reference asserts)")
            }
            padded = length + s.blockSize - length % s.blockSize
        }
        let rows = globals + padded
        var live: [[Bool]] = (0..<batch).map { item in
            (0..<padded).map { j in j < length && mask[item * length + j] != 0 }
        }
        if config.lsg?.maskFirstToken == true {
            for item in 0..<batch { live[item][0] = false }  // the first REAL token, not a global
        }
        let attention = SelfAttention(batch: batch, sequence: rows, globals: globals, heads: config.numAttentionHeads,
                                      headDim: config.headDim, live: live, lsg: config.lsg)
        if let s = config.lsg, !attention.isDense { try SelfAttention.validateLongPath(s) }
        let lsh = lshProjections ?? SeededLSHProjections()
        let rounds = attention.lshRounds

        var x = try PhaseTimer.measure("embeddings") { try embeddings(ids: inputIds, tokenTypes: tokenTypeIds, batch: batch, length: length, globals: globals, paddedLength: padded) }
        for layer in layers {
            var projections: [[Float]] = []
            for hashes in rounds.hashes {
                projections.append(try lsh.next(heads: config.numAttentionHeads, headDim: config.headDim, hashes: hashes))
            }
            x = layer(x, attention: attention, projections: projections)
        }

        // pool_with_global: real token 0 takes global 0's output; then drop globals and padding.
        let sequenceOutput = Matrix(rows: batch * length, cols: hidden)
        for item in 0..<batch {
            if config.lsg?.poolWithGlobal == true {
                x.row(item * rows + globals).update(from: x.row(item * rows), count: hidden)
            }
            sequenceOutput.row(item * length).update(from: x.row(item * rows + globals), count: length * hidden)
        }
        var tensors = [OutputTensor(name: "last_hidden_state", shape: [batch, length, hidden], storage: sequenceOutput)]
        tensors += PhaseTimer.measure("head") { outputHead.outputs(hidden: sequenceOutput, batch: batch, length: length, shape: shape) }
        return ModelOutput(tensors: tensors)
    }
}
