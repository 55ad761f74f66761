import CheckpointIO
import Foundation
import ModelFamilies

/// Check 4: config.json is a valid LSG config (reference §1 constraints and the §7.5 configurations
/// the reference crashes on or silently degrades), agrees with the tensors and with the source's
/// config, and the tokenizer's `model_max_length` is the new max length.
public enum ConfigTokenizerCheck {
    /// The LSG keys LSGRobertaConfig adds (reference §1), all of which a conversion writes.
    public static let lsgKeys = ["adaptive", "base_model_prefix", "block_size", "lsh_num_pre_rounds", "mask_first_token",
                                 "num_global_tokens", "pool_with_global", "sparse_block_size", "sparsity_factor", "sparsity_type"]
    /// Accepted `sparsity_type` values; anything else becomes None with a warning in the reference.
    public static let sparsityTypes: Set<String> = ["none", "norm", "lsh", "pooling", "stride", "block_stride", "bos_pooling"]
    /// Source config keys a conversion may change (reference §6).
    static let changeableKeys: Set<String> = ["architectures", "max_position_embeddings", "_name_or_path", "transformers_version",
                                              "torch_dtype", "auto_map", "id2label", "label2id", "num_labels"]

    public static func run(_ subject: VerificationSubject) throws -> CheckResult {
        let config = subject.config
        var problems: [String] = []
        var notes: [String] = []
        var checked = 0
        func expect(_ condition: Bool, _ problem: @autoclosure () -> String) {
            checked += 1
            if !condition { problems.append(problem()) }
        }

        // Class, model type, auto_map.
        let className = subject.converted.architecture ?? "(none)"
        expect(subject.architecture != nil, "architectures[0] = \(className) is not an LSG class (LSG\(subject.family.classStem)<Head>)")
        let modelType = config["model_type"]?.stringValue ?? "(none)"
        expect(modelType == subject.family.modelType,
               "model_type = \(modelType): expected \(subject.family.modelType) for \(className) (supported: \(ModelFamily.supportedModelTypes.joined(separator: ", ")))")
        if let architecture = subject.architecture {
            if let autoMap = config["auto_map"], autoMap.objectValue != nil {
                for (key, name) in architecture.family.autoMapClasses {
                    let value = autoMap[key]?.stringValue ?? "(missing)"
                    expect(value.hasSuffix("." + name), "auto_map.\(key) = \(value): expected <module>.\(name)")
                }
            } else {
                expect(false, "auto_map missing: the folder cannot be loaded with trust_remote_code")
            }
        }

        // LSG keys: presence, types and the reference's constraints.
        for key in lsgKeys { expect(config[key] != nil, "missing LSG key \(key)") }
        expect(config["base_model_prefix"]?.stringValue == "lsg", "base_model_prefix = \(text(config["base_model_prefix"])): expected \"lsg\" (the marker of an LSG model)")
        for key in ["adaptive", "mask_first_token", "pool_with_global"] where config[key] != nil {
            expect(config[key]?.boolValue != nil, "\(key) = \(text(config[key])): expected true or false")
        }
        let intKeys = ["block_size", "sparse_block_size", "sparsity_factor", "num_global_tokens", "lsh_num_pre_rounds"]
        for key in intKeys where config[key] != nil {
            expect(config[key]?.intValue != nil, "\(key) = \(text(config[key])): expected an integer")
        }
        let blockSize = config["block_size"]?.intValue ?? 128
        let sparseBlockSize = config["sparse_block_size"]?.intValue ?? 128
        let factor = config["sparsity_factor"]?.intValue ?? 2
        let globals = config["num_global_tokens"]?.intValue ?? 1
        let sparsityType: String? = config["sparsity_type"].flatMap { $0.isNull ? nil : $0.stringValue }
        expect(blockSize > 0, "block_size = \(blockSize): must be positive")
        expect(sparseBlockSize >= 0, "sparse_block_size = \(sparseBlockSize): must not be negative")
        // LSGRobertaConfig clamps num_global_tokens to 1...512 with a warning: the config would lie.
        expect((1...512).contains(globals), "num_global_tokens = \(globals): the reference clamps it to 1...512")
        if let type = sparsityType {
            expect(sparsityTypes.contains(type), "sparsity_type = \"\(type)\": unknown, the reference silently turns it into None")
        } else if config["sparsity_type"] != nil, config["sparsity_type"]?.isNull == false {
            expect(false, "sparsity_type = \(text(config["sparsity_type"])): expected a string or null")
        }
        if factor > 0 { expect(blockSize % factor == 0, "block_size \(blockSize) % sparsity_factor \(factor) != 0: the reference asserts") }
        if config["mask_first_token"]?.boolValue == true {
            expect(config["pool_with_global"]?.boolValue == true, "mask_first_token is true but pool_with_global is false: the reference forces pool_with_global on")
        }
        let sparseActive = sparsityType.map { $0 != "none" } ?? false
        if sparseActive, sparseBlockSize > 0, factor > 0, blockSize > 0, blockSize % factor == 0 {
            let step = blockSize / factor
            // §7.5: with an odd step > 1 the reference builds nb-1 windows and crashes in `cat`; with an
            // even step and sbs <= 3*step/4 part of the sparse window silently disappears.
            expect(step == 1 || step % 2 == 0, "block_size / sparsity_factor = \(step) is odd: the reference crashes on long inputs (§7.5)")
            if step > 1, step % 2 == 0 {
                expect(4 * sparseBlockSize > 3 * step, "sparse_block_size \(sparseBlockSize) <= 3/4 of block_size/sparsity_factor = \(step): the reference silently drops part of the sparse window (§7.5)")
            }
            let chunk = min(blockSize, sparseBlockSize)
            if sparsityType == "norm" || sparsityType == "lsh", factor > 1 {
                expect(chunk % factor == 0, "min(block_size, sparse_block_size) = \(chunk) is not a multiple of sparsity_factor \(factor): \(sparsityType!) selection breaks")
            }
            if sparsityType == "lsh", factor != sparseBlockSize {
                expect(chunk != factor, "lsh with min(block_size, sparse_block_size) == sparsity_factor = \(factor): zero hashes, the reference crashes")
            }
            if sparsityType == "stride" || sparsityType == "block_stride", factor > subject.sizes.heads {
                notes.append("sparsity_factor \(factor) > num_attention_heads \(subject.sizes.heads): some \(sparsityType!) offsets are never attended (reference warning)")
            }
        }
        if let type = config["position_embedding_type"]?.stringValue, type != "absolute" {
            notes.append("position_embedding_type = \(type): LSG attention only supports absolute positions (reference warning)")
        }

        // Sizes against the tensors.
        for key in subject.missingSizeKeys { expect(false, "config.json lacks \(key)") }
        let weights = subject.convertedWeights
        let sizes = subject.sizes
        func rows(_ bare: String) -> [Int]? { weights.info(named: subject.convertedBackboneName(bare))?.shape }
        if let shape = rows("embeddings.position_embeddings.weight") {
            expect(shape.first == sizes.positions, "max_position_embeddings = \(sizes.positions) but the position table has \(shape.first ?? 0) rows")
        }
        if let shape = rows("embeddings.word_embeddings.weight"), shape.count == 2 {
            expect(shape[0] == sizes.vocab, "vocab_size = \(sizes.vocab) but word_embeddings has \(shape[0]) rows")
            expect(shape[1] == sizes.hidden, "hidden_size = \(sizes.hidden) but word_embeddings has \(shape[1]) columns")
        }
        if let shape = rows("embeddings.token_type_embeddings.weight") {
            expect(shape.first == sizes.typeVocab, "type_vocab_size = \(sizes.typeVocab) but token_type_embeddings has \(shape.first ?? 0) rows")
        }
        if let shape = rows("encoder.layer.0.intermediate.dense.weight") {
            expect(shape.first == sizes.intermediate, "intermediate_size = \(sizes.intermediate) but intermediate.dense has \(shape.first ?? 0) rows")
        }
        let layerPattern = subject.convertedBackboneName("encoder.layer.")
        let layerIndices = Set(weights.tensorNames.compactMap { name -> Int? in
            guard name.hasPrefix(layerPattern) else { return nil }
            return Int(name.dropFirst(layerPattern.count).prefix { $0.isNumber })
        })
        expect(layerIndices.count == sizes.layers, "num_hidden_layers = \(sizes.layers) but the weights hold \(layerIndices.count) layers")
        expect(sizes.heads > 0 && sizes.hidden % sizes.heads == 0, "hidden_size \(sizes.hidden) is not a multiple of num_attention_heads \(sizes.heads)")
        if let torchDType = config["torch_dtype"]?.stringValue,
           let stored = weights.info(named: subject.convertedBackboneName("embeddings.word_embeddings.weight"))?.dtype {
            expect(torchDType == stored.torchDTypeName, "torch_dtype = \(torchDType) but the weights are \(stored.torchDTypeName)")
        }
        if let maxLength = subject.provenance?.maxLength {
            let offset = subject.family.positionOffset
            expect(sizes.positions == maxLength + offset, "max_position_embeddings = \(sizes.positions), but the conversion's max length \(maxLength) needs \(maxLength + offset)")
        }

        // The source's keys are kept (reference §6), except those a conversion changes.
        let allowed = changeableKeys.union(lsgKeys).union(subject.provenance?.overriddenConfigKeys ?? [])
        for (key, value) in subject.original.config.objectValue ?? [] where !allowed.contains(key) {
            let convertedValue = config[key]
            expect(convertedValue == value, "\(key) = \(text(convertedValue)) but the original has \(text(value))")
        }

        // Tokenizer.
        let maxLength = sizes.positions - subject.family.positionOffset
        let tokenizerConfigURL = subject.convertedURL.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: tokenizerConfigURL.path) {
            let tokenizerConfig = try ModelFolder.readJSON(tokenizerConfigURL)
            let value = tokenizerConfig["model_max_length"]
            expect(value?.intValue == maxLength, "tokenizer_config.json model_max_length = \(text(value)), expected \(maxLength) (max_position_embeddings - \(subject.family.positionOffset))")
        } else if !subject.original.tokenizerFiles.isEmpty || !subject.converted.tokenizerFiles.isEmpty {
            expect(false, "tokenizer_config.json missing from the converted folder (the original has tokenizer files)")
        } else {
            notes.append("no tokenizer files in either folder")
        }
        let missingTokenizerFiles = subject.original.tokenizerFiles.map(\.lastPathComponent)
            .filter { name in !subject.converted.tokenizerFiles.contains { $0.lastPathComponent == name } }
            .filter { $0 != "added_tokens.json" }  // save_pretrained writes it only when there are added tokens
        expect(missingTokenizerFiles.isEmpty, "tokenizer files of the original not in the converted folder: \(missingTokenizerFiles.joined(separator: ", "))")

        let figure = problems.isEmpty ? "\(checked) checks" : "\(problems.count)/\(checked) failed"
        if problems.isEmpty {
            return CheckResult(id: .configTokenizer, status: .passed, figure: figure, value: 0,
                               message: "LSG keys valid, sizes match the tensors, source keys kept, tokenizer max length \(maxLength)",
                               notes: notes)
        }
        return CheckResult(id: .configTokenizer, status: .failed, figure: figure, value: Double(problems.count),
                           message: "\(problems.count) config/tokenizer problem\(problems.count == 1 ? "" : "s")",
                           problems: problems, notes: notes)
    }

    /// A JSON value as it reads in a message (`missing` when absent).
    static func text(_ value: JSONValue?) -> String {
        guard let value else { return "(missing)" }
        return value.serialized(indent: nil)
    }
}
