// RoBERTa / LSG-RoBERTa configuration read from config.json, with load-time overrides.
import Foundation

/// Which output layer sits on the encoder (from `architectures[0]`, `LSG` prefix ignored).
public enum ModelHead: String, Sendable, CaseIterable {
    /// `RobertaModel`: last hidden state and, when the pooler weights exist, the pooler output.
    case base = "RobertaModel"
    case maskedLM = "RobertaForMaskedLM"
    case sequenceClassification = "RobertaForSequenceClassification"
    case tokenClassification = "RobertaForTokenClassification"
    case questionAnswering = "RobertaForQuestionAnswering"
    case multipleChoice = "RobertaForMultipleChoice"
    /// Runs as the masked LM head in this encoder-only runtime (same `lm_head` weights).
    case causalLM = "RobertaForCausalLM"

    /// Parses an architecture name such as `LSGRobertaForMaskedLM` or `RobertaModel`.
    public init?(architecture: String) {
        let name = architecture.hasPrefix("LSG") ? String(architecture.dropFirst(3)) : architecture
        self.init(rawValue: name)
    }
}

/// LSG sparsity selection (`sparsity_type`).
public enum SparsityType: String, Sendable, CaseIterable {
    case none, norm, pooling, stride
    case blockStride = "block_stride"
    case bosPooling = "bos_pooling"
    case lsh
}

/// The LSG attention keys of LSGRobertaConfig, with the reference defaults (lsg-reference.md §1).
public struct LSGSettings: Sendable, Equatable {
    public var adaptive = true
    public var blockSize = 128
    public var lshNumPreRounds = 1
    public var maskFirstToken = false
    public var numGlobalTokens = 1
    public var poolWithGlobal = true
    public var sparseBlockSize = 128
    public var sparsityFactor = 2
    /// `nil` when the config says `null`/`"none"` or a name the reference does not know (it then warns
    /// and skips the sparse part).
    public var sparsityType: SparsityType? = .norm

    public init() {}

    /// Whether the sparse keys exist (`sparse_block_size` > 0, `sparsity_factor` > 0, a real type).
    var hasSparseKeys: Bool {
        guard let type = sparsityType, type != .none else { return false }
        return sparseBlockSize > 0 && sparsityFactor > 0
    }
}

/// The configuration the runtime needs, parsed from config.json.
public struct ModelConfig: Sendable {
    public var vocabSize: Int
    public var hiddenSize: Int
    public var numHiddenLayers: Int
    public var numAttentionHeads: Int
    public var intermediateSize: Int
    public var maxPositionEmbeddings: Int
    public var typeVocabSize: Int
    public var layerNormEps: Float
    public var padTokenId: Int
    public var architectures: [String]
    /// Present for LSG models (`base_model_prefix == "lsg"` or an `LSG...` architecture).
    public var lsg: LSGSettings?

    /// Head dimension `hidden / heads`.
    public var headDim: Int { hiddenSize / numAttentionHeads }

    /// The head named by `architectures[0]` (`RobertaForMaskedLM` when absent, as the converter does).
    public var head: ModelHead {
        architectures.first.flatMap(ModelHead.init(architecture:)) ?? .maskedLM
    }

    /// Reads `config.json` at `path` and applies `overrides` (keys of config.json).
    public init(contentsOf path: String, overrides: [String: ConfigValue] = [:]) throws {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw RuntimeError.invalidConfig(key: path, message: "cannot read: \(error.localizedDescription)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw RuntimeError.invalidConfig(key: path, message: "not a JSON object")
        }
        try self.init(dictionary: object, overrides: overrides)
    }

    /// Builds the configuration from a decoded config.json object plus overrides. The overrides are
    /// merged into the dictionary first and the result is validated as `LSGRobertaConfig.__init__`
    /// validates a saved config (see docs/runtime-quirks.md on overrides).
    public init(dictionary: [String: Any], overrides: [String: ConfigValue] = [:]) throws {
        var dict = dictionary
        for (key, value) in overrides { dict[key] = value.jsonObject }
        let reader = ConfigReader(dict)
        vocabSize = try reader.int("vocab_size")
        hiddenSize = try reader.int("hidden_size", default: 768)
        numHiddenLayers = try reader.int("num_hidden_layers", default: 12)
        numAttentionHeads = try reader.int("num_attention_heads", default: 12)
        intermediateSize = try reader.int("intermediate_size", default: 3072)
        maxPositionEmbeddings = try reader.int("max_position_embeddings", default: 512)
        typeVocabSize = try reader.int("type_vocab_size", default: 2)
        layerNormEps = Float(try reader.double("layer_norm_eps", default: 1e-12))
        padTokenId = try reader.int("pad_token_id", default: 1)
        if let list = dict["architectures"] as? [String] {
            architectures = list
        } else if let single = dict["architectures"] as? String {
            architectures = [single]  // the converter's API path keeps a plain string
        } else {
            architectures = []
        }
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw RuntimeError.invalidConfig(key: "hidden_size", message: "\(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        let activation = (dict["hidden_act"] as? String) ?? "gelu"
        guard activation == "gelu" else {
            throw RuntimeError.unsupported("hidden_act \"\(activation)\" (only the exact erf \"gelu\" is implemented)")
        }
        let positionType = (dict["position_embedding_type"] as? String) ?? "absolute"
        guard positionType == "absolute" else {
            throw RuntimeError.unsupported("position_embedding_type \"\(positionType)\"")
        }
        if let modelType = dict["model_type"] as? String, !["roberta", "xlm-roberta", "camembert"].contains(modelType) {
            throw RuntimeError.unsupported("model_type \"\(modelType)\" (RoBERTa-family only)")
        }

        let isLSG = (dict["base_model_prefix"] as? String) == "lsg" || architectures.contains { $0.hasPrefix("LSG") }
        if isLSG {
            var s = LSGSettings()
            s.adaptive = try reader.bool("adaptive", default: s.adaptive)
            s.blockSize = try reader.int("block_size", default: s.blockSize)
            s.lshNumPreRounds = try reader.int("lsh_num_pre_rounds", default: s.lshNumPreRounds)
            s.maskFirstToken = try reader.bool("mask_first_token", default: s.maskFirstToken)
            s.numGlobalTokens = try reader.int("num_global_tokens", default: s.numGlobalTokens)
            s.poolWithGlobal = try reader.bool("pool_with_global", default: s.poolWithGlobal)
            s.sparseBlockSize = try reader.int("sparse_block_size", default: s.sparseBlockSize)
            s.sparsityFactor = try reader.int("sparsity_factor", default: s.sparsityFactor)
            if dict.keys.contains("sparsity_type") {
                // Unknown names become None with a warning in the reference (LSGRobertaConfig.__init__).
                s.sparsityType = (dict["sparsity_type"] as? String).flatMap(SparsityType.init(rawValue:))
            }
            // LSGRobertaConfig.__init__ validation, in the reference's order.
            s.numGlobalTokens = min(max(s.numGlobalTokens, 1), 512)
            guard s.blockSize > 0 else {
                throw RuntimeError.invalidConfig(key: "block_size", message: "must be positive, got \(s.blockSize)")
            }
            if s.sparsityFactor > 0 {
                guard s.blockSize % s.sparsityFactor == 0 else {
                    throw RuntimeError.invalidConfig(key: "sparsity_factor", message: "block_size \(s.blockSize) must be divisible by sparsity_factor \(s.sparsityFactor)")
                }
            }
            if s.maskFirstToken { s.poolWithGlobal = true }
            lsg = s
        } else {
            lsg = nil
        }
    }
}

/// Typed reads from a config dictionary with errors naming the key.
struct ConfigReader {
    let dict: [String: Any]
    init(_ dict: [String: Any]) { self.dict = dict }

    func int(_ key: String, default value: Int? = nil) throws -> Int {
        guard let raw = dict[key], !(raw is NSNull) else {
            if let value { return value }
            throw RuntimeError.invalidConfig(key: key, message: "missing")
        }
        if let i = raw as? Int { return i }
        if let d = raw as? Double, let i = Int(exactly: d) { return i }
        throw RuntimeError.invalidConfig(key: key, message: "expected an integer, found \(raw)")
    }

    func double(_ key: String, default value: Double) throws -> Double {
        guard let raw = dict[key], !(raw is NSNull) else { return value }
        if let n = raw as? NSNumber { return n.doubleValue }
        throw RuntimeError.invalidConfig(key: key, message: "expected a number, found \(raw)")
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let raw = dict[key], !(raw is NSNull) else { return value }
        if let b = raw as? Bool { return b }
        if let n = raw as? NSNumber { return n.intValue != 0 }
        throw RuntimeError.invalidConfig(key: key, message: "expected a boolean, found \(raw)")
    }
}
