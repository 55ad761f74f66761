// A roberta-base-shaped LSG model with random weights, built in memory.
import CheckpointIO
import LSGRuntime

/// Tensors held in memory (the benchmark's random model).
final class InMemoryTensorSource: TensorSource, @unchecked Sendable {
    let tensors: [String: TensorData]
    let tensorInfos: [TensorInfo]
    var format: CheckpointFormat { .safetensors }
    var metadata: [String: String] { [:] }

    init(_ list: [TensorData]) {
        tensors = Dictionary(uniqueKeysWithValues: list.map { ($0.info.name, $0) })
        tensorInfos = list.map(\.info)
    }

    func tensor(named name: String) throws -> TensorData {
        guard let t = tensors[name] else { throw CheckpointError(.notFound, file: "<memory>", tensor: name, "no such tensor") }
        return t
    }
}

/// roberta-base dimensions (hidden 768, 12 layers, 12 heads, FFN 3072, vocab 50265).
struct RandomModel {
    var hidden = 768, layers = 12, heads = 12, intermediate = 3072, vocab = 50265
    var maxLength = 4096

    /// config.json of an LSG (`lsg: true`) or plain RoBERTa MLM.
    func config(lsg: Bool) -> JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("architectures", .array([.string(lsg ? "LSGRobertaForMaskedLM" : "RobertaForMaskedLM")])),
            ("model_type", .string("roberta")), ("hidden_size", .int(Int64(hidden))),
            ("num_hidden_layers", .int(Int64(layers))), ("num_attention_heads", .int(Int64(heads))),
            ("intermediate_size", .int(Int64(intermediate))), ("vocab_size", .int(Int64(vocab))),
            ("max_position_embeddings", .int(Int64(lsg ? maxLength + 2 : 514))), ("type_vocab_size", .int(1)),
            ("layer_norm_eps", .double(1e-5)), ("pad_token_id", .int(1)),
        ]
        if lsg {
            pairs += [("base_model_prefix", .string("lsg")), ("block_size", .int(128)), ("sparse_block_size", .int(128)),
                      ("sparsity_factor", .int(2)), ("sparsity_type", .string("norm")), ("num_global_tokens", .int(1))]
        }
        return .object(pairs)
    }

    /// Deterministic random weights (uniform, std ≈ 0.02; LayerNorm weights 1).
    func weights(lsg: Bool) -> InMemoryTensorSource {
        var rng = SplitMix64(seed: 7)
        var list: [TensorData] = []
        func add(_ name: String, _ shape: [Int], constant: Float? = nil) {
            let count = shape.reduce(1, *)
            let values = constant.map { [Float](repeating: $0, count: count) }
                ?? (0..<count).map { _ in (rng.nextFloat() - 0.5) * 0.07 }
            list.append(TensorData(name: name, shape: shape, floats: values))
        }
        let p = "roberta."
        add(p + "embeddings.word_embeddings.weight", [vocab, hidden])
        add(p + "embeddings.position_embeddings.weight", [lsg ? maxLength + 2 : 514, hidden])
        add(p + "embeddings.token_type_embeddings.weight", [1, hidden])
        if lsg { add(p + "embeddings.global_embeddings.weight", [512, hidden]) }
        add(p + "embeddings.LayerNorm.weight", [hidden], constant: 1)
        add(p + "embeddings.LayerNorm.bias", [hidden], constant: 0)
        for l in 0..<layers {
            let q = "\(p)encoder.layer.\(l)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                add(q + name + ".weight", [hidden, hidden]); add(q + name + ".bias", [hidden])
            }
            add(q + "intermediate.dense.weight", [intermediate, hidden]); add(q + "intermediate.dense.bias", [intermediate])
            add(q + "output.dense.weight", [hidden, intermediate]); add(q + "output.dense.bias", [hidden])
            for norm in ["attention.output.LayerNorm", "output.LayerNorm"] {
                add(q + norm + ".weight", [hidden], constant: 1); add(q + norm + ".bias", [hidden], constant: 0)
            }
        }
        add("lm_head.dense.weight", [hidden, hidden]); add("lm_head.dense.bias", [hidden])
        add("lm_head.layer_norm.weight", [hidden], constant: 1); add("lm_head.layer_norm.bias", [hidden], constant: 0)
        add("lm_head.bias", [vocab])
        return InMemoryTensorSource(list)
    }
}
