import CheckpointIO
import ModelFamilies

/// Builds the converted model's config.json from the source's, the way the reference's
/// `LSGRobertaConfig.from_pretrained(source, architectures=..., **model_kwargs)` followed by
/// `save_pretrained` does (reference §1, §6), and validates the LSG settings before anything is written.
public enum LSGConfigBuilder {
    /// LSGRobertaConfig's own keys and defaults.
    public static let lsgDefaults: [(String, JSONValue)] = [
        ("adaptive", .bool(true)), ("base_model_prefix", .string("lsg")), ("block_size", .int(128)),
        ("lsh_num_pre_rounds", .int(1)), ("mask_first_token", .bool(false)), ("num_global_tokens", .int(1)),
        ("pool_with_global", .bool(true)), ("sparse_block_size", .int(128)), ("sparsity_factor", .int(2)),
        ("sparsity_type", .string("norm")),
    ]

    /// The sparsity types `LSGRobertaConfig` accepts (`None` is JSON null).
    public static let sparsityTypes = ["none", "norm", "lsh", "pooling", "stride", "block_stride", "bos_pooling"]

    /// Keys the conversion itself sets; `--set` may not change them.
    public static let reservedKeys: [String: String] = [
        "architectures": "use --architecture",
        "auto_map": "it names the reference's remote-code classes",
        "max_position_embeddings": "use --max-len (it becomes max-len + the family's position offset)",
        "_name_or_path": "it is the output path",
        "base_model_prefix": "\"lsg\" marks an LSG model",
        "model_type": "the conversion keeps the source's model type",
        "torch_dtype": "use --dtype",
    ]


    /// `PretrainedConfig().to_dict()` of transformers 4.36.2. `save_pretrained` writes a key of this
    /// table only when its value differs from this default (or from the config class's own default),
    /// so configs written the old way (every default spelled out) lose those keys in the reference's
    /// output; we do the same.
    static let pretrainedConfigDefaults: [(String, JSONValue)] = {
        let text = """
        {"add_cross_attention": false, "bad_words_ids": null, "begin_suppress_tokens": null, "chunk_size_feed_forward": 0,
         "cross_attention_hidden_size": null, "decoder_start_token_id": null, "diversity_penalty": 0.0, "do_sample": false,
         "early_stopping": false, "encoder_no_repeat_ngram_size": 0, "exponential_decay_length_penalty": null,
         "finetuning_task": null, "forced_bos_token_id": null, "forced_eos_token_id": null,
         "id2label": {"0": "LABEL_0", "1": "LABEL_1"}, "is_decoder": false, "is_encoder_decoder": false,
         "label2id": {"LABEL_0": 0, "LABEL_1": 1}, "length_penalty": 1.0, "max_length": 20, "min_length": 0,
         "no_repeat_ngram_size": 0, "num_beam_groups": 1, "num_beams": 1, "num_return_sequences": 1,
         "output_attentions": false, "output_hidden_states": false, "output_scores": false, "prefix": null,
         "problem_type": null, "pruned_heads": {}, "remove_invalid_values": false, "repetition_penalty": 1.0,
         "return_dict": true, "return_dict_in_generate": false, "sep_token_id": null, "suppress_tokens": null,
         "task_specific_params": null, "temperature": 1.0, "tf_legacy_loss": false, "tie_encoder_decoder": false,
         "tie_word_embeddings": true, "tokenizer_class": null, "top_k": 50, "top_p": 1.0, "torchscript": false,
         "typical_p": 1.0, "use_bfloat16": false}
        """
        return (try? JSONParser.parse(text))?.objectValue ?? []
    }()

    /// `transformers_version` as the reference's save writes it (its running version; the LSG remote
    /// code needs 4.36.1 to 4.44.2 anyway).
    public static let transformersVersion = "4.36.2"

    /// The config.json of the converted model (keys unsorted; serialize with `sortedKeys()`), and
    /// warnings for settings the reference accepts with a warning.
    /// - Parameters:
    ///   - source: the source's config.json object.
    ///   - torchDType: `torch_dtype` of the output (`float32`...).
    ///   - tokenizerClass: `tokenizer_class` to write when the source config has none
    ///     (``TokenizerClassName``; the family's slow class when nil).
    public static func build(source: JSONValue, family: ModelFamily, head: TaskHead,
                             options: ConversionOptions, torchDType: String,
                             tokenizerClass: String? = nil) throws -> (config: JSONValue, warnings: [String]) {
        var config = source
        var warnings: [String] = []
        for (key, value) in family.configDefaults where config[key] == nil { config.set(key, value) }
        for (key, value) in lsgDefaults where config[key] == nil { config.set(key, value) }

        func setIfGiven(_ key: String, _ value: JSONValue?) { if let value { config.set(key, value) } }
        setIfGiven("block_size", options.blockSize.map { .int(Int64($0)) })
        setIfGiven("sparse_block_size", options.sparseBlockSize.map { .int(Int64($0)) })
        setIfGiven("sparsity_factor", options.sparsityFactor.map { .int(Int64($0)) })
        setIfGiven("sparsity_type", options.sparsityType.map { .string($0) })
        setIfGiven("num_global_tokens", options.numGlobalTokens.map { .int(Int64($0)) })
        setIfGiven("mask_first_token", options.maskFirstToken.map { .bool($0) })
        setIfGiven("pool_with_global", options.poolWithGlobal.map { .bool($0) })
        setIfGiven("adaptive", options.adaptive.map { .bool($0) })
        setIfGiven("lsh_num_pre_rounds", options.lshNumPreRounds.map { .int(Int64($0)) })

        for (key, value) in options.configOverrides {
            if let why = reservedKeys[key] {
                throw ConversionError(.invalidOption, "--set \(key)", "cannot be set: \(why)")
            }
            if key == "num_labels" {
                // transformers writes one id2label/label2id entry per label; bound it so a typo cannot
                // build a config.json of 10^12 entries (found by the reliability work, docs/reliability.md).
                guard let n = value.intValue, n >= 1, n <= Self.maximumNumLabels else {
                    throw ConversionError(.invalidOption, "--set num_labels",
                                          "must be an integer from 1 to \(Self.maximumNumLabels), got \(value.serialized(indent: nil))")
                }
                setNumLabels(n, in: &config)
            } else {
                config.set(key, value)
            }
        }

        warnings += try validate(config)

        config.set("architectures", .array([.string(family.lsgClassName(head))]))
        config.set("auto_map", family.autoMap)
        config.set("base_model_prefix", .string("lsg"))
        config.set("max_position_embeddings", .int(Int64(options.maxLength + family.positionOffset)))
        config.set("torch_dtype", .string(torchDType))
        config.set("transformers_version", .string(transformersVersion))
        if let name = options.nameOrPath { config.set("_name_or_path", .string(name)) }
        // save_pretrained's to_diff_dict (the RoBERTa/LSG class defaults are never equal to these).
        for (key, value) in pretrainedConfigDefaults where config[key] == value {
            config.remove(key)
        }
        // Our one addition to the reference's config.json: transformers 4.36's pipeline loads no
        // tokenizer for a remote-code config without it (docs/conversion.md). A source value is kept.
        if config["tokenizer_class"]?.stringValue == nil {
            config.set("tokenizer_class", .string(tokenizerClass ?? family.slowTokenizerClass))
        }
        return (config, warnings)
    }

    /// `generation_config.json` as `save_pretrained` writes it for classes that can generate:
    /// `GenerationConfig.from_model_config(config)` keeps the generation parameters of the model
    /// config (those that differ from the defaults are the ones a saved config still holds), plus
    /// `_from_model_config` and `transformers_version`; `to_json_string` sorts keys, indent 2.
    public static func generationConfig(_ config: JSONValue) -> JSONValue {
        var pairs: [(String, JSONValue)] = [("_from_model_config", .bool(true))]
        for key in generationKeys { if let value = config[key], !value.isNull { pairs.append((key, value)) } }
        pairs.append(("transformers_version", .string(transformersVersion)))
        return JSONValue.object(pairs).sortedKeys()
    }

    /// `GenerationConfig` attributes that `PretrainedConfig` also carries (transformers 4.36.2).
    static let generationKeys = [
        "bad_words_ids", "begin_suppress_tokens", "bos_token_id", "decoder_start_token_id", "diversity_penalty",
        "do_sample", "early_stopping", "encoder_no_repeat_ngram_size", "eos_token_id", "exponential_decay_length_penalty",
        "forced_bos_token_id", "forced_eos_token_id", "length_penalty", "max_length", "min_length", "no_repeat_ngram_size",
        "num_beam_groups", "num_beams", "num_return_sequences", "output_attentions", "output_hidden_states",
        "output_scores", "pad_token_id", "remove_invalid_values", "repetition_penalty", "return_dict_in_generate",
        "sep_token_id", "suppress_tokens", "temperature", "top_k", "top_p", "typical_p",
    ]

    /// Upper bound of `--set num_labels` (a classification head of D x n weights is written too).
    public static let maximumNumLabels = 1_000_000

    /// `config.num_labels = n` as transformers does it: `id2label` becomes `{i: "LABEL_i"}` when its
    /// size differs; `save_pretrained` omits `id2label`/`label2id` when they equal the 2-label default.
    static func setNumLabels(_ n: Int, in config: inout JSONValue) {
        let current = config["id2label"]?.objectValue?.count ?? 2
        if current != n {
            config.set("id2label", .object((0..<n).map { ("\($0)", .string("LABEL_\($0)")) }))
            config.set("label2id", .object((0..<n).map { ("LABEL_\($0)", .int(Int64($0))) }))
        }
        let isDefault = config["id2label"].map { $0 == .object([("0", .string("LABEL_0")), ("1", .string("LABEL_1"))]) } ?? true
        if isDefault {
            config.remove("id2label")
            config.remove("label2id")
        }
    }

    /// The number of labels a config declares (`len(id2label)`, default 2).
    public static func numLabels(_ config: JSONValue) -> Int { config["id2label"]?.objectValue?.count ?? 2 }

    /// Checks the LSG settings of `config` (reference §1 and §7.5). Throws for what the reference
    /// rejects, crashes on or silently changes; returns warnings for what it only warns about.
    public static func validate(_ config: JSONValue) throws -> [String] {
        var warnings: [String] = []
        func int(_ key: String) throws -> Int {
            guard let v = config[key]?.intValue else {
                throw ConversionError(.invalidOption, key, "must be an integer, got \(config[key]?.serialized(indent: nil) ?? "nothing")")
            }
            return v
        }
        func bool(_ key: String) throws -> Bool {
            guard let v = config[key]?.boolValue else {
                throw ConversionError(.invalidOption, key, "must be true or false, got \(config[key]?.serialized(indent: nil) ?? "nothing")")
            }
            return v
        }
        let bs = try int("block_size"), sbs = try int("sparse_block_size"), sf = try int("sparsity_factor")
        let globals = try int("num_global_tokens"), preRounds = try int("lsh_num_pre_rounds")
        let maskFirst = try bool("mask_first_token"), poolWithGlobal = try bool("pool_with_global")
        _ = try bool("adaptive")
        let type: String?
        switch config["sparsity_type"] {
        case .null?: type = nil
        case let .string(s)?: type = s
        default:
            throw ConversionError(.invalidOption, "sparsity_type", "must be a string or null")
        }

        guard bs >= 1 else { throw ConversionError(.invalidOption, "block_size", "must be at least 1, got \(bs)") }
        guard sbs >= 0 else { throw ConversionError(.invalidOption, "sparse_block_size", "must be 0 (no sparse tokens) or more, got \(sbs)") }
        guard sf >= 0 else { throw ConversionError(.invalidOption, "sparsity_factor", "must be 0 (no sparse tokens) or more, got \(sf)") }
        guard preRounds >= 0 else { throw ConversionError(.invalidOption, "lsh_num_pre_rounds", "must be 0 or more, got \(preRounds)") }
        if let type, !sparsityTypes.contains(type) {
            throw ConversionError(.invalidOption, "sparsity_type",
                                  "unknown type \"\(type)\" (expected one of \(sparsityTypes.joined(separator: ", ")) or null); the reference would silently drop the sparse attention")
        }
        guard (1...512).contains(globals) else {
            throw ConversionError(.invalidOption, "num_global_tokens",
                                  "must be between 1 and 512 (the global table has 512 rows), got \(globals); the reference silently clamps it")
        }
        if sf > 0, bs % sf != 0 {
            throw ConversionError(.invalidOption, "block_size",
                                  "block_size \(bs) must be a multiple of sparsity_factor \(sf) (the reference asserts it)")
        }
        if maskFirst && !poolWithGlobal {
            throw ConversionError(.invalidOption, "pool_with_global",
                                  "mask_first_token=true requires pool_with_global=true (the reference silently turns pool_with_global back on)")
        }

        let sparseActive = type != nil && type != "none" && sbs > 0 && sf > 0
        if sparseActive, let type {
            // §7.5: the sparse windows are slices of width 6·sbs around each block, stepping by bs // sf.
            let step = bs / sf
            if step > 1 && step % 2 == 1 {
                throw ConversionError(.invalidOption, "block_size",
                                      "block_size / sparsity_factor = \(bs)/\(sf) = \(step) is odd: the reference builds one sparse window too few and crashes; choose an even ratio (or 1)")
            }
            if step > 1 && 4 * sbs <= 3 * step {
                throw ConversionError(.invalidOption, "sparse_block_size",
                                      "\(sbs) is too small for block_size / sparsity_factor = \(step): it must exceed 3/4 of it (\(3 * step / 4)), otherwise the reference's sparse windows silently lose part or all of their tokens")
            }
            if type == "norm" || type == "lsh" {
                // Both chunk the sequence by c = min(bs, sbs) and keep c / sf tokens per chunk.
                let c = min(bs, sbs)
                if c % sf != 0 {
                    throw ConversionError(.invalidOption, "sparse_block_size",
                                          "\(type) sparsity keeps min(block_size, sparse_block_size) / sparsity_factor = \(c)/\(sf) tokens per chunk, which must be a whole number")
                }
                if bs % c != 0 {
                    throw ConversionError(.invalidOption, "sparse_block_size",
                                          "\(type) sparsity splits the (block-padded) sequence into chunks of \(c) tokens: block_size \(bs) must be a multiple of it")
                }
                if type == "lsh" && c == sf && sf != sbs && sf > 1 {
                    throw ConversionError(.invalidOption, "sparsity_factor",
                                          "lsh with min(block_size, sparse_block_size) == sparsity_factor (\(sf)) hashes into a single bucket and the reference crashes")
                }
            }
            if (type == "stride" || type == "block_stride"), let heads = config["num_attention_heads"]?.intValue, sf > heads {
                warnings.append("sparsity_factor \(sf) > num_attention_heads \(heads) is not recommended for \(type) sparsity (some offsets are never selected)")
            }
        }
        if let kind = config["position_embedding_type"]?.stringValue, kind != "absolute" {
            warnings.append("position_embedding_type \"\(kind)\": LSG attention ignores relative positions")
        }
        return warnings
    }
}
