/// The tensors an LSG-RoBERTa checkpoint must hold, derived from its config alone (reference §3).
///
/// The class is `LSG<Stem><Head>` with stem `Roberta`, `XLMRoberta` or `Camembert` (same layout).
/// Backbone weights carry the `roberta.` prefix in every head class and none in `LSG<Stem>Model`.
public struct LSGArchitecture: Sendable, Equatable {
    /// The task head of the class.
    public enum Head: String, Sendable, CaseIterable {
        case model = "Model"
        case maskedLM = "ForMaskedLM"
        case causalLM = "ForCausalLM"
        case sequenceClassification = "ForSequenceClassification"
        case tokenClassification = "ForTokenClassification"
        case questionAnswering = "ForQuestionAnswering"
        case multipleChoice = "ForMultipleChoice"
    }

    public static let stems = ["XLMRoberta", "Roberta", "Camembert"]

    /// `architectures[0]` as given.
    public var className: String
    public var stem: String
    public var head: Head

    /// Parses an LSG class name such as `LSGRobertaForMaskedLM`; `nil` for anything else (a plain
    /// `RobertaForMaskedLM` is not an LSG class).
    public init?(className: String) {
        guard className.hasPrefix("LSG") else { return nil }
        let rest = className.dropFirst(3)
        guard let stem = Self.stems.first(where: { rest.hasPrefix($0) }),
              let head = Head(rawValue: String(rest.dropFirst(stem.count)))
        else { return nil }
        self.className = className
        self.stem = stem
        self.head = head
    }

    /// Prefix of the backbone tensors: `roberta.` except for the bare model (HF `base_model_prefix`).
    public var backbonePrefix: String { head == .model ? "" : "roberta." }

    /// `LSG<Stem>Model` and `ForMultipleChoice` (which wraps the bare model) keep the pooler; the
    /// other heads build the backbone with add_pooling_layer=False (modeling_lsg_roberta.py).
    public var hasPooler: Bool { head == .model || head == .multipleChoice }

    /// Every tensor the class saves, with its shape, for the given sizes. The tied
    /// `lm_head.decoder.*` copies are not required (the 4.36 safetensors save omits them) but are
    /// accepted when present; see ``optionalTensors(_:)``.
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
            out += [(p + "pooler.dense.weight", [D, D]), (p + "pooler.dense.bias", [D])]
        }
        out += headTensors(sizes)
        return out
    }

    /// The head's own tensors (no prefix).
    public func headTensors(_ sizes: ModelSizes) -> [(name: String, shape: [Int])] {
        let D = sizes.hidden
        switch head {
        case .model:
            return []
        case .maskedLM, .causalLM:
            return [("lm_head.dense.weight", [D, D]), ("lm_head.dense.bias", [D]),
                    ("lm_head.layer_norm.weight", [D]), ("lm_head.layer_norm.bias", [D]),
                    ("lm_head.bias", [sizes.vocab])]
        case .sequenceClassification:
            return [("classifier.dense.weight", [D, D]), ("classifier.dense.bias", [D]),
                    ("classifier.out_proj.weight", [sizes.numLabels, D]), ("classifier.out_proj.bias", [sizes.numLabels])]
        case .tokenClassification:
            return [("classifier.weight", [sizes.numLabels, D]), ("classifier.bias", [sizes.numLabels])]
        case .multipleChoice:
            return [("classifier.weight", [1, D]), ("classifier.bias", [1])]
        case .questionAnswering:
            return [("qa_outputs.weight", [sizes.numLabels, D]), ("qa_outputs.bias", [sizes.numLabels])]
        }
    }

    /// Tensors a correct checkpoint may or may not hold: the tied decoder of LM heads (kept by
    /// `torch.save`/pytorch_model.bin, dropped by the 4.36 safetensors save).
    public func optionalTensors(_ sizes: ModelSizes) -> [(name: String, shape: [Int])] {
        switch head {
        case .maskedLM, .causalLM:
            return [("lm_head.decoder.weight", [sizes.vocab, sizes.hidden]), ("lm_head.decoder.bias", [sizes.vocab])]
        default:
            return []
        }
    }

    /// Whether `name` (without prefix) belongs to the task head or pooler, i.e. may be created at
    /// random by a conversion when the original has no such tensor.
    public static func isHeadOrPooler(_ unprefixed: String) -> Bool {
        ["lm_head.", "classifier.", "qa_outputs.", "pooler."].contains { unprefixed.hasPrefix($0) }
    }
}
