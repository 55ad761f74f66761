import ModelFamilies

/// The tensors an LSG checkpoint must hold, derived from its class and config alone (reference §3).
///
/// The class is `LSG<Stem><Head>` of a family of the table (`ModelFamily.all`); backbone weights
/// carry the family's prefix (`roberta.`, `bert.`) in every head class and none in `LSG<Stem>Model`.
public struct LSGArchitecture: Sendable, Equatable {
    /// `architectures[0]` as given.
    public var className: String
    public var family: ModelFamily
    public var head: TaskHead

    /// The class-name stem (`Roberta`, `Bert`).
    public var stem: String { family.classStem }

    /// Parses an LSG class name such as `LSGRobertaForMaskedLM`; `nil` for anything else (a plain
    /// `RobertaForMaskedLM` is not an LSG class).
    public init?(className: String) {
        guard let parsed = ModelArchitecture(className: className), parsed.isLSG else { return nil }
        self.className = className
        self.family = parsed.family
        self.head = parsed.task
    }

    /// Prefix of the backbone tensors: the family's except for the bare model (HF `base_model_prefix`).
    public var backbonePrefix: String { family.backbonePrefix(head) }

    /// Whether the class keeps the pooler (from the family table).
    public var hasPooler: Bool { family.hasPooler(head) }

    /// Every tensor the class saves, with its shape, for the given sizes. The tied decoder copies
    /// are not required (the 4.36 safetensors save omits them) but are accepted when present; see
    /// ``optionalTensors(_:)``.
    /// - Parameters: `sizes` from config.json; `positions` = `max_position_embeddings`.
    public func requiredTensors(_ sizes: ModelSizes) -> [(name: String, shape: [Int])] {
        let D = sizes.hidden, p = backbonePrefix
        var out: [(String, [Int])] = [
            (p + "embeddings.word_embeddings.weight", [sizes.vocab, D]),
            (p + "embeddings.position_embeddings.weight", [sizes.positions, D]),
            (p + "embeddings.token_type_embeddings.weight", [sizes.typeVocab, D]),
            // Always 512 rows whatever num_global_tokens is (only the first G are used).
            (p + "embeddings.global_embeddings.weight", [512, D]),
            (p + "embeddings.LayerNorm.weight", [D]),
            (p + "embeddings.LayerNorm.bias", [D]),
        ]
        for i in 0..<sizes.layers {
            let l = p + "encoder.layer.\(i)."
            for proj in ["query", "key", "value"] {
                out.append((l + "attention.self.\(proj).weight", [D, D]))
                out.append((l + "attention.self.\(proj).bias", [D]))
            }
            out += [
                (l + "attention.output.dense.weight", [D, D]), (l + "attention.output.dense.bias", [D]),
                (l + "attention.output.LayerNorm.weight", [D]), (l + "attention.output.LayerNorm.bias", [D]),
                (l + "intermediate.dense.weight", [sizes.intermediate, D]), (l + "intermediate.dense.bias", [sizes.intermediate]),
                (l + "output.dense.weight", [D, sizes.intermediate]), (l + "output.dense.bias", [D]),
                (l + "output.LayerNorm.weight", [D]), (l + "output.LayerNorm.bias", [D]),
            ]
        }
        if hasPooler {
            out += ModelFamily.poolerTensors(hidden: D).map { (p + $0.name, $0.shape) }
        }
        out += headTensors(sizes)
        return out
    }

    /// The head's own tensors (no prefix).
    public func headTensors(_ sizes: ModelSizes) -> [(name: String, shape: [Int])] {
        family.headTensors(head, hidden: sizes.hidden, vocab: sizes.vocab, numLabels: sizes.numLabels).map { ($0.name, $0.shape) }
    }

    /// Tensors a correct checkpoint may or may not hold: the tied decoder of LM heads (kept by
    /// `torch.save`/pytorch_model.bin, dropped by the 4.36 safetensors save).
    public func optionalTensors(_ sizes: ModelSizes) -> [(name: String, shape: [Int])] {
        family.tiedTensors(head).map { tied in
            (tied.name, tied.duplicates == "embeddings.word_embeddings.weight" ? [sizes.vocab, sizes.hidden] : [sizes.vocab])
        }
    }
}
