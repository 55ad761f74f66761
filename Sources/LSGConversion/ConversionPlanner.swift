import CheckpointIO
import Foundation
import ModelFamilies

/// Decides a conversion: the target class, the config, and a rule for every output tensor
/// (reference §2-§6). Pure: reads only tensor infos, the config and the tokenizer files.
public enum ConversionPlanner {
    /// Plans converting `folder` (whose weights `source` holds) with `options`.
    public static func plan(folder: ModelFolder, source: any TensorSource, options: ConversionOptions) throws -> ConversionPlan {
        let config = folder.config
        guard let modelType = config["model_type"]?.stringValue else {
            throw ConversionError(.unsupportedModelType, "config.json", "has no model_type")
        }
        guard let family = ModelFamily.forModelType(modelType) else {
            throw ConversionError(.unsupportedModelType, "config.json",
                                  "model_type \"\(modelType)\" is not supported (supported: \(ModelFamily.supportedModelTypes.joined(separator: ", ")))")
        }
        guard options.maxLength >= 1 else {
            throw ConversionError(.invalidOption, "--max-len", "must be at least 1, got \(options.maxLength)")
        }

        // Architecture: the option, else the source's architectures[0], else the family's default
        // (reference `_DEFAULT_ARCHITECTURE_TYPE`: RobertaForMaskedLM, BertForPreTraining).
        let sourceArchitecture = folder.architecture
        // A sentence-transformers export is an encoder whose pooling lives in its own module: with no
        // architectures it becomes the bare model (the reference would pick its pre-training default).
        let sentenceTransformers = try SentenceTransformersFiles.find(in: folder.url)
        let defaultTask = sentenceTransformers != nil ? TaskHead.model : family.defaultHead
        let requested = options.architecture ?? sourceArchitecture ?? family.className(defaultTask) ?? family.classStem
        guard let head = family.task(forClassName: requested) else {
            let hint = options.architecture == nil ? " (from config.json; choose one with --architecture)" : ""
            throw ConversionError(.unsupportedArchitecture, requested,
                                  "not a \(family.classStem) architecture\(hint); expected one of: \(family.acceptedClassNames.joined(separator: ", "))")
        }

        var warnings: [String] = []
        // The reference tests the *chosen* architecture for "LSG"; we look at the source only, so
        // `--architecture LSGRobertaForMaskedLM` on a plain RoBERTa does not count as an LSG source.
        let sourceIsLSG = config["base_model_prefix"]?.stringValue == "lsg" || (sourceArchitecture?.contains("LSG") ?? false)
        let resize = options.resizeLSG && sourceIsLSG
        let keepFirst = options.keepFirstGlobalToken && sourceIsLSG && !resize
        if options.resizeLSG && !sourceIsLSG { warnings.append("--resize-lsg ignored: the source is not an LSG model") }
        if options.keepFirstGlobalToken && !sourceIsLSG { warnings.append("--keep-first-global-token ignored: the source is not an LSG model") }
        if options.keepFirstGlobalToken && resize { warnings.append("--keep-first-global-token ignored: --resize-lsg keeps the whole global table") }
        if sourceIsLSG && !options.resizeLSG && !options.keepFirstGlobalToken {
            warnings.append("LSG source: all 512 global rows are recomputed (--resize-lsg keeps them, --keep-first-global-token keeps row 0)")
        }

        // Index the source tensors by their name without the backbone prefix.
        var backbone: [String: TensorInfo] = [:]      // "embeddings.word_embeddings.weight" -> info
        var heads: [String: TensorInfo] = [:]         // "lm_head.dense.weight" -> info
        var dropped: [ConversionPlan.Dropped] = []
        for info in source.tensorInfos {
            var name = info.name
            let prefixed = name.hasPrefix(family.backbonePrefix)
            if prefixed { name.removeFirst(family.backbonePrefix.count) }
            // transformers (`_fix_key`) renames TF-era LayerNorm parameters on load.
            if name.hasSuffix(".gamma") { name = String(name.dropLast(6)) + ".weight" }
            if name.hasSuffix(".beta") { name = String(name.dropLast(5)) + ".bias" }
            if name.hasPrefix("embeddings.") || name.hasPrefix("encoder.") || name.hasPrefix("pooler.") {
                if name == "embeddings.position_ids" || name == "embeddings.token_type_ids" {
                    dropped.append(.init(name: info.name, reason: "buffer, rebuilt from max_position_embeddings at load time"))
                } else if backbone[name] != nil {
                    throw ConversionError(.invalidSource, info.name, "appears twice (with and without the \(family.backbonePrefix) prefix)")
                } else {
                    backbone[name] = info
                }
            } else if !prefixed {
                heads[name] = info
            } else {
                dropped.append(.init(name: info.name, reason: "unexpected: \(family.lsgClassName(head)) has no such weight"))
            }
        }

        // Shapes from the weights, checked against the config as transformers checks them on load.
        guard let word = backbone["embeddings.word_embeddings.weight"], word.shape.count == 2 else {
            throw ConversionError(.invalidSource, "embeddings.word_embeddings.weight", "missing from the source weights")
        }
        let V = word.shape[0], D = word.shape[1]
        guard let positions = backbone["embeddings.position_embeddings.weight"], positions.shape.count == 2, positions.shape[1] == D else {
            throw ConversionError(.invalidSource, "embeddings.position_embeddings.weight", "missing from the source weights or not [N, \(D)]")
        }
        let sourceRows = positions.shape[0]
        let offset = family.positionOffset
        guard sourceRows > offset else {
            throw ConversionError(.invalidSource, positions.name, "has \(sourceRows) rows; \(family.classStem) tables have \(offset) offset rows plus at least one position")
        }
        if let declared = config["vocab_size"]?.intValue, declared != V {
            throw ConversionError(.invalidSource, word.name, "has \(V) rows but config.json vocab_size is \(declared)")
        }
        if let declared = config["hidden_size"]?.intValue, declared != D {
            throw ConversionError(.invalidSource, word.name, "has \(D) columns but config.json hidden_size is \(declared)")
        }
        if let declared = config["max_position_embeddings"]?.intValue, declared != sourceRows {
            throw ConversionError(.invalidSource, positions.name, "has \(sourceRows) rows but config.json max_position_embeddings is \(declared)")
        }
        let layers = config["num_hidden_layers"]?.intValue ?? 12
        let intermediate = config["intermediate_size"]?.intValue ?? 3072
        let typeVocab = config["type_vocab_size"]?.intValue ?? 2

        let outputFloat = options.outputDType.dtype
        func outDType(_ info: TensorInfo) -> DType {
            guard info.dtype.isFloatingPoint, let cast = outputFloat else { return info.dtype }
            return cast
        }
        let modelDType = outputFloat ?? word.dtype
        let (newConfig, configWarnings) = try LSGConfigBuilder.build(
            source: config, family: family, head: head, options: options, torchDType: modelDType.torchDTypeName,
            tokenizerClass: TokenizerClassName.forFolder(folder.url, family: family))
        warnings += configWarnings
        let initializerRange = newConfig["initializer_range"]?.doubleValue ?? 0.02

        let prefix = family.backbonePrefix(head)
        var entries: [ConversionPlan.Entry] = []
        var used = Set<String>()
        func copyRule(_ body: String, _ info: TensorInfo) -> TensorRule {
            prefix + body == info.name ? .copied(from: info.name) : .renamed(from: info.name)
        }
        func expectBackbone(_ body: String, _ shape: [Int]) throws {
            guard let info = backbone[body] else {
                throw ConversionError(.invalidSource, prefix + body, "missing from the source weights")
            }
            guard info.shape == shape else {
                throw ConversionError(.invalidSource, info.name, "has shape \(info.shape), expected \(shape) from config.json")
            }
            used.insert(body)
            entries.append(.init(info: TensorInfo(name: prefix + body, dtype: outDType(info), shape: shape), rule: copyRule(body, info)))
        }

        // Embeddings.
        used.insert("embeddings.word_embeddings.weight")
        entries.append(.init(info: TensorInfo(name: prefix + "embeddings.word_embeddings.weight", dtype: outDType(word), shape: [V, D]),
                             rule: copyRule("embeddings.word_embeddings.weight", word)))
        used.insert("embeddings.position_embeddings.weight")
        entries.append(.init(info: TensorInfo(name: prefix + "embeddings.position_embeddings.weight", dtype: outDType(positions),
                                              shape: [options.maxLength + offset, D]),
                             rule: .extendedPositions(from: positions.name, sourceRows: sourceRows)))
        try expectBackbone("embeddings.token_type_embeddings.weight", [typeVocab, D])

        // Global embeddings.
        let globalName = "embeddings.global_embeddings.weight"
        let existingGlobal = backbone[globalName]
        if let existingGlobal {
            used.insert(globalName)
            guard existingGlobal.shape == [GlobalEmbeddings.rows, D] else {
                throw ConversionError(.invalidSource, existingGlobal.name, "has shape \(existingGlobal.shape), expected [512, \(D)]")
            }
        }
        if resize {
            guard let existingGlobal else {
                throw ConversionError(.invalidSource, prefix + globalName, "--resize-lsg needs the source's global table, which is missing")
            }
            entries.append(.init(info: TensorInfo(name: prefix + globalName, dtype: outDType(existingGlobal), shape: [512, D]),
                                 rule: copyRule(globalName, existingGlobal)))
        } else {
            if keepFirst && existingGlobal == nil {
                throw ConversionError(.invalidSource, prefix + globalName, "--keep-first-global-token needs the source's global table, which is missing")
            }
            // Validate the stride now (it depends on the source's position count).
            _ = try GlobalEmbeddings.orderedSourceRows(positionRows: sourceRows - offset, stride: options.globalPositionalStride)
            let ids = SpecialTokenIDs.read(folder: folder.url, config: config)
            guard let bos = ids.bos else {
                throw ConversionError(.missingTokenID, "bos_token", "no bos or cls token in the tokenizer files of \(folder.url.path) and no bos_token_id in config.json")
            }
            guard bos >= 0 && bos < V else { throw ConversionError(.missingTokenID, "bos_token", "id \(bos) is outside the vocabulary (\(V))") }
            let initializer: GlobalInit
            if options.randomGlobalInit {
                initializer = .random(bos: bos, stride: options.globalPositionalStride, keepFirstRow: keepFirst)
            } else {
                guard let mask = ids.mask else {
                    throw ConversionError(.missingTokenID, "mask_token",
                                          "no mask token in the tokenizer files of \(folder.url.path) (tokenizer_config.json / special_tokens_map.json with tokenizer.json or vocab.json); the deterministic global init needs it (or use --random-global-init)")
                }
                guard mask >= 0 && mask < V else { throw ConversionError(.missingTokenID, "mask_token", "id \(mask) is outside the vocabulary (\(V))") }
                initializer = .deterministic(bos: bos, mask: mask, stride: options.globalPositionalStride, keepFirstRow: keepFirst)
            }
            entries.append(.init(info: TensorInfo(name: prefix + globalName, dtype: existingGlobal.map(outDType) ?? modelDType, shape: [512, D]),
                                 rule: .generatedGlobals(initializer)))
        }
        try expectBackbone("embeddings.LayerNorm.weight", [D])
        try expectBackbone("embeddings.LayerNorm.bias", [D])

        // Encoder layers.
        for i in 0..<layers {
            let l = "encoder.layer.\(i)."
            for part in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"] {
                try expectBackbone(l + part + ".weight", [D, D])
                try expectBackbone(l + part + ".bias", [D])
            }
            try expectBackbone(l + "attention.output.LayerNorm.weight", [D])
            try expectBackbone(l + "attention.output.LayerNorm.bias", [D])
            try expectBackbone(l + "intermediate.dense.weight", [intermediate, D])
            try expectBackbone(l + "intermediate.dense.bias", [intermediate])
            try expectBackbone(l + "output.dense.weight", [D, intermediate])
            try expectBackbone(l + "output.dense.bias", [D])
            try expectBackbone(l + "output.LayerNorm.weight", [D])
            try expectBackbone(l + "output.LayerNorm.bias", [D])
        }

        // Pooler: copied when the target has one, new otherwise (HF init), dropped when it has none.
        let poolerParts = ModelFamily.poolerTensors(hidden: D)
        if family.hasPooler(head) {
            for part in poolerParts {
                if let info = backbone[part.name] {
                    guard info.shape == part.shape else {
                        throw ConversionError(.invalidSource, info.name, "has shape \(info.shape), expected \(part.shape)")
                    }
                    used.insert(part.name)
                    entries.append(.init(info: TensorInfo(name: prefix + part.name, dtype: outDType(info), shape: part.shape), rule: copyRule(part.name, info)))
                } else {
                    entries.append(.init(info: TensorInfo(name: prefix + part.name, dtype: modelDType, shape: part.shape),
                                         rule: .newTensor(part.initializer, std: initializerRange)))
                }
            }
        }
        for (name, info) in backbone where !used.contains(name) {
            let reason = name.hasPrefix("pooler.") ? "\(family.lsgClassName(head)) has no pooler" : "unexpected: \(family.lsgClassName(head)) has no such weight"
            dropped.append(.init(name: info.name, reason: reason))
        }

        // Head weights: same name and shape are kept (transformers loads them), missing ones are new.
        var usedHeads = Set<String>()
        let tied = family.languageModel.tiedTensors
        for part in family.headTensors(head, hidden: D, vocab: V, numLabels: LSGConfigBuilder.numLabels(newConfig)) {
            var found = heads[part.name]
            var foundName = part.name
            // Old MLM checkpoints may store the output bias only as the tied decoder bias
            // (`lm_head.decoder.bias`, `cls.predictions.decoder.bias`).
            if found == nil, let copy = tied.first(where: { $0.duplicates == part.name }), let info = heads[copy.name] {
                found = info
                foundName = copy.name
            }
            if let info = found {
                guard info.shape == part.shape else {
                    throw ConversionError(.invalidSource, info.name,
                                          "has shape \(info.shape) but \(family.lsgClassName(head)) needs \(part.shape) (e.g. a different num_labels)")
                }
                usedHeads.insert(foundName)
                entries.append(.init(info: TensorInfo(name: part.name, dtype: outDType(info), shape: part.shape),
                                     rule: info.name == part.name ? .copied(from: info.name) : .renamed(from: info.name)))
            } else {
                entries.append(.init(info: TensorInfo(name: part.name, dtype: modelDType, shape: part.shape),
                                     rule: .newTensor(part.initializer, std: initializerRange)))
            }
        }
        for (name, info) in heads where !usedHeads.contains(name) {
            let reason: String
            if let copy = tied.first(where: { $0.name == name }) {
                reason = "tied to \(copy.duplicates == "embeddings.word_embeddings.weight" ? "the word embeddings" : copy.duplicates); save_pretrained omits it"
            } else {
                reason = "\(family.lsgClassName(head)) has no such head weight"
            }
            dropped.append(.init(name: info.name, reason: reason))
        }
        dropped.sort { $0.name < $1.name }

        if let sentenceTransformers {
            var names = sentenceTransformers.files + sentenceTransformers.moduleFolders.map { $0 + "/" }
            if names.isEmpty { names = ["modules.json"] }
            warnings.append("sentence-transformers export: copying \(names.joined(separator: ", ")); sentence_bert_config.json max_seq_length becomes \(options.maxLength); load with SentenceTransformer(dir, trust_remote_code=True)")
        }
        var plan = ConversionPlan(
            family: family, head: head, targetClass: family.lsgClassName(head), sourceArchitecture: sourceArchitecture,
            sourceIsLSG: sourceIsLSG, sourceFormat: source.format, maxLength: options.maxLength, entries: entries,
            dropped: dropped, config: newConfig, specialTokens: SpecialTokenIDs.read(folder: folder.url, config: config),
            warnings: warnings, seed: options.seed, initializerRange: initializerRange)
        plan.sentenceTransformers = sentenceTransformers
        return plan
    }
}
