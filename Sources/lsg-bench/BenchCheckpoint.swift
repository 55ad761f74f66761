// The benchmark's source model on disk: a roberta-base-shaped RobertaForMaskedLM with random weights.
import CheckpointIO
import Foundation

/// Writes a deterministic roberta-base-shaped checkpoint (hidden 768, 12 layers, 12 heads, FFN 3072,
/// vocab 50265, 514 positions) twice: `<root>/safetensors/model.safetensors` and
/// `<root>/torch/pytorch_model.bin` (torch zip), each folder with the same config.json and a minimal
/// RoBERTa tokenizer (vocab.json, merges.txt, tokenizer_config.json) so that both this converter and the
/// Python `LSGConverter` (which reads bos/mask ids through `AutoTokenizer`) accept it.
/// The two files hold identical values. Files already present are kept (`--regenerate` rewrites them).
struct BenchCheckpoint {
    let root: URL
    var hidden = 768, layers = 12, heads = 12, intermediate = 3072, vocab = 50265, positions = 514

    var safetensorsFolder: URL { root.appendingPathComponent("safetensors") }
    var torchFolder: URL { root.appendingPathComponent("torch") }

    struct Spec { let name: String; let shape: [Int]; let constant: Float? }

    /// The tensors of `RobertaForMaskedLM.state_dict()` minus the tied `lm_head.decoder.*` (as
    /// `save_pretrained` writes roberta-base's safetensors).
    var specs: [Spec] {
        var list: [Spec] = []
        func add(_ name: String, _ shape: [Int], _ constant: Float? = nil) { list.append(Spec(name: name, shape: shape, constant: constant)) }
        let p = "roberta."
        add(p + "embeddings.word_embeddings.weight", [vocab, hidden])
        add(p + "embeddings.position_embeddings.weight", [positions, hidden])
        add(p + "embeddings.token_type_embeddings.weight", [1, hidden])
        add(p + "embeddings.LayerNorm.weight", [hidden], 1)
        add(p + "embeddings.LayerNorm.bias", [hidden], 0)
        for l in 0..<layers {
            let q = "\(p)encoder.layer.\(l)."
            for name in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                add(q + name + ".weight", [hidden, hidden]); add(q + name + ".bias", [hidden])
            }
            add(q + "attention.output.LayerNorm.weight", [hidden], 1); add(q + "attention.output.LayerNorm.bias", [hidden], 0)
            add(q + "intermediate.dense.weight", [intermediate, hidden]); add(q + "intermediate.dense.bias", [intermediate])
            add(q + "output.dense.weight", [hidden, intermediate]); add(q + "output.dense.bias", [hidden])
            add(q + "output.LayerNorm.weight", [hidden], 1); add(q + "output.LayerNorm.bias", [hidden], 0)
        }
        add("lm_head.dense.weight", [hidden, hidden]); add("lm_head.dense.bias", [hidden])
        add("lm_head.layer_norm.weight", [hidden], 1); add("lm_head.layer_norm.bias", [hidden], 0)
        add("lm_head.bias", [vocab])
        return list
    }

    /// Values of tensor `index`: uniform in ±0.035 (std ≈ 0.02, like `initializer_range`), seeded per tensor.
    func values(_ index: Int) -> [Float] {
        let spec = specs[index]
        let count = spec.shape.reduce(1, *)
        if let c = spec.constant { return [Float](repeating: c, count: count) }
        var rng = SplitMix64(seed: 0x5EED_0000 &+ UInt64(index))
        return (0..<count).map { _ in (rng.nextFloat() - 0.5) * 0.07 }
    }

    var config: JSONValue {
        .object([
            ("architectures", .array([.string("RobertaForMaskedLM")])),
            ("attention_probs_dropout_prob", .double(0.1)), ("bos_token_id", .int(0)), ("eos_token_id", .int(2)),
            ("hidden_act", .string("gelu")), ("hidden_dropout_prob", .double(0.1)), ("hidden_size", .int(Int64(hidden))),
            ("initializer_range", .double(0.02)), ("intermediate_size", .int(Int64(intermediate))),
            ("layer_norm_eps", .double(1e-5)), ("max_position_embeddings", .int(Int64(positions))),
            ("model_type", .string("roberta")), ("num_attention_heads", .int(Int64(heads))),
            ("num_hidden_layers", .int(Int64(layers))), ("pad_token_id", .int(1)),
            ("position_embedding_type", .string("absolute")), ("torch_dtype", .string("float32")),
            ("transformers_version", .string("4.36.2")), ("type_vocab_size", .int(1)), ("use_cache", .bool(true)),
            ("vocab_size", .int(Int64(vocab))),
        ])
    }

    /// Creates whatever is missing; returns the seconds spent.
    func generate(regenerate: Bool = false) throws -> Double {
        let start = Date()
        let fm = FileManager.default
        let st = safetensorsFolder.appendingPathComponent("model.safetensors")
        let pt = torchFolder.appendingPathComponent("pytorch_model.bin")
        for folder in [safetensorsFolder, torchFolder] {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
            try writeSideFiles(folder)
        }
        let specs = self.specs
        if regenerate || !fm.fileExists(atPath: st.path) {
            try? fm.removeItem(at: st)
            let entries = specs.enumerated().map { index, spec in
                SafetensorsWriter.Entry(info: TensorInfo(name: spec.name, dtype: .f32, shape: spec.shape)) { sink in
                    try sink.write(contentsOf: values(index))
                }
            }
            try SafetensorsWriter.write(entries, to: st.path)
        }
        if regenerate || !fm.fileExists(atPath: pt.path) {
            let tensors = specs.enumerated().map { index, spec in
                TorchZipWriter.Tensor(name: spec.name, shape: spec.shape) { values(index) }
            }
            try TorchZipWriter.write(tensors, to: pt.path + ".tmp")
            try? fm.removeItem(at: pt)
            try fm.moveItem(atPath: pt.path + ".tmp", toPath: pt.path)
        }
        return Date().timeIntervalSince(start)
    }

    /// config.json and a minimal byte-level BPE tokenizer with RoBERTa's special-token ids
    /// (`<s>` 0, `<pad>` 1, `</s>` 2, `<unk>` 3, the 256 byte symbols, filler tokens, `<mask>` = vocab - 1).
    private func writeSideFiles(_ folder: URL) throws {
        try Data(config.serialized(indent: 2).utf8).write(to: folder.appendingPathComponent("config.json"))
        var vocabulary: [(String, JSONValue)] = [("<s>", .int(0)), ("<pad>", .int(1)), ("</s>", .int(2)), ("<unk>", .int(3))]
        for (i, symbol) in Self.byteSymbols.enumerated() { vocabulary.append((symbol, .int(Int64(4 + i)))) }
        for id in vocabulary.count..<(vocab - 1) { vocabulary.append(("tok\(id)", .int(Int64(id)))) }
        vocabulary.append(("<mask>", .int(Int64(vocab - 1))))
        try Data(JSONValue.object(vocabulary).serialized(indent: nil, asciiOnly: false).utf8)
            .write(to: folder.appendingPathComponent("vocab.json"))
        try Data("#version: 0.2\n".utf8).write(to: folder.appendingPathComponent("merges.txt"))
        let tokenizerConfig = JSONValue.object([
            ("tokenizer_class", .string("RobertaTokenizer")), ("bos_token", .string("<s>")), ("eos_token", .string("</s>")),
            ("sep_token", .string("</s>")), ("cls_token", .string("<s>")), ("unk_token", .string("<unk>")),
            ("pad_token", .string("<pad>")), ("mask_token", .string("<mask>")), ("model_max_length", .int(512)),
        ])
        try Data(tokenizerConfig.serialized(indent: 2).utf8).write(to: folder.appendingPathComponent("tokenizer_config.json"))
    }

    /// GPT-2's `bytes_to_unicode` alphabet: printable bytes map to themselves, the rest to U+0100 onwards.
    static let byteSymbols: [String] = {
        var printable = Set<Int>(33...126); printable.formUnion(161...172); printable.formUnion(174...255)
        var next = 256
        return (0..<256).map { b in
            if printable.contains(b) { return String(UnicodeScalar(UInt8(b))) }
            defer { next += 1 }
            return String(UnicodeScalar(UInt32(next))!)
        }
    }()
}
