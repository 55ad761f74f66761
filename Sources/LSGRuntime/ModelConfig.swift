// Encoder / LSG configuration read from config.json, with load-time overrides.
import CheckpointIO
import Foundation
import ModelFamilies

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
    /// Load-time option of this runtime, NOT a config.json key (never read from or written to a
    /// config): every non-global query gets the global keys masked the way padding is (additive MIN,
    /// so their softmax weight is exactly 0 and they are simply not gathered), on the dense path
    /// (`t' <= 2·block_size`, all `G + t'` keys in one softmax) and on the long path (the `G` global
    /// keys of each block). Global queries still attend to every key. With ``poolWithGlobal`` and
    /// ``maskFirstToken`` off, the dense path then computes the original RoBERTa through the LSG
    /// attention code, up to float summation order (`lsg-convert verify` check 5a). Default `false`.
    ///
    /// A non-global query left with no attendable key (every token padding) gets uniform weights over
    /// the tokens on the dense path, as RoBERTa does; a long-path block left with no key outputs zeros
    /// (padding rows only; their outputs are not used).
    public var maskGlobalKeys = false

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
    /// The family from `model_type` (else from `architectures[0]`, else RoBERTa).
    public var family: ModelFamily

    /// Head dimension `hidden / heads`.
    public var headDim: Int { hiddenSize / numAttentionHeads }

    /// The head named by `architectures[0]` (the family's conversion default when absent or not
    /// one of its classes).
    public var head: TaskHead {
        architectures.first.flatMap { family.task(forClassName: $0) } ?? family.defaultHead
    }

    /// Reads `config.json` at `path` and applies `overrides` (keys of config.json).
    public init(contentsOf path: String, overrides: [String: JSONValue] = [:]) throws {
        try self.init(json: ModelFolder.readJSON(URL(fileURLWithPath: path)), overrides: overrides)
    }

    /// Builds the configuration from config.json plus overrides. The overrides are merged into the
    /// object first and the result is validated as `LSGRobertaConfig.__init__` validates a saved
    /// config (see docs/runtime-quirks.md on overrides).
    public init(json: JSONValue, overrides: [String: JSONValue] = [:]) throws {
        var object = json
        guard object.objectValue != nil else {
            throw RuntimeError.invalidConfig(key: "config.json", message: "not a JSON object")
        }
        for (key, value) in overrides.sorted(by: { $0.key < $1.key }) { object.set(key, value) }
        let reader = ConfigReader(object)
        vocabSize = try reader.int("vocab_size")
        hiddenSize = try reader.int("hidden_size", default: 768)
        numHiddenLayers = try reader.int("num_hidden_layers", default: 12)
        numAttentionHeads = try reader.int("num_attention_heads", default: 12)
        intermediateSize = try reader.int("intermediate_size", default: 3072)
        maxPositionEmbeddings = try reader.int("max_position_embeddings", default: 512)
        typeVocabSize = try reader.int("type_vocab_size", default: 2)
        layerNormEps = Float(try reader.double("layer_norm_eps", default: 1e-12))
        padTokenId = try reader.int("pad_token_id", default: 1)
        if let list = object["architectures"]?.arrayValue {
            architectures = list.compactMap(\.stringValue)
        } else if let single = object["architectures"]?.stringValue {
            architectures = [single]  // the converter's API path keeps a plain string
        } else {
            architectures = []
        }
        guard hiddenSize > 0, numAttentionHeads > 0, hiddenSize % numAttentionHeads == 0 else {
            throw RuntimeError.invalidConfig(key: "hidden_size", message: "\(hiddenSize) is not a multiple of num_attention_heads \(numAttentionHeads)")
        }
        let activation = object["hidden_act"]?.stringValue ?? "gelu"
        guard activation == "gelu" else {
            throw RuntimeError.unsupported("hidden_act \"\(activation)\" (only the exact erf \"gelu\" is implemented)")
        }
        let positionType = object["position_embedding_type"]?.stringValue ?? "absolute"
        guard positionType == "absolute" else {
            throw RuntimeError.unsupported("position_embedding_type \"\(positionType)\"")
        }
        if let modelType = object["model_type"]?.stringValue {
            guard let known = ModelFamily.forModelType(modelType) else {
                throw RuntimeError.unsupported("model_type \"\(modelType)\" (supported: \(ModelFamily.supportedModelTypes.joined(separator: ", ")))")
            }
            family = known
        } else {
            family = architectures.first.flatMap { ModelArchitecture(className: $0)?.family } ?? .roberta
        }

        if object["is_decoder"]?.boolValue == true || object["add_cross_attention"]?.boolValue == true {
            // LSGRobertaForCausalLM's causal attention (lsg-reference.md §7.6) is not implemented.
            throw RuntimeError.unsupported("is_decoder / add_cross_attention (causal and cross attention are not implemented)")
        }
        let isLSG = object["base_model_prefix"]?.stringValue == "lsg" || architectures.contains { $0.hasPrefix("LSG") }
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
            if let type = object["sparsity_type"] {
                // null and unknown names become None (the reference warns and skips the sparse part).
                s.sparsityType = type.stringValue.flatMap(SparsityType.init(rawValue:))
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

/// Typed reads from config.json with errors naming the key.
struct ConfigReader {
    let object: JSONValue
    init(_ object: JSONValue) { self.object = object }

    func int(_ key: String, default value: Int? = nil) throws -> Int {
        guard let raw = object[key], !raw.isNull else {
            if let value { return value }
            throw RuntimeError.invalidConfig(key: key, message: "missing")
        }
        guard let i = raw.intValue else {
            throw RuntimeError.invalidConfig(key: key, message: "expected an integer, found \(raw.serialized(indent: nil))")
        }
        return i
    }

    func double(_ key: String, default value: Double) throws -> Double {
        guard let raw = object[key], !raw.isNull else { return value }
        guard let d = raw.doubleValue else {
            throw RuntimeError.invalidConfig(key: key, message: "expected a number, found \(raw.serialized(indent: nil))")
        }
        return d
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let raw = object[key], !raw.isNull else { return value }
        guard let b = raw.boolValue else {
            throw RuntimeError.invalidConfig(key: key, message: "expected a boolean, found \(raw.serialized(indent: nil))")
        }
        return b
    }
}
