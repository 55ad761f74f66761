import CheckpointIO
import Foundation
import ModelFamilies

/// A converted model and the original it came from, opened for checking: both folders' config and
/// weights, the provenance file, the LSG class and sizes the converted config declares.
public final class VerificationSubject: @unchecked Sendable {
    public let convertedURL: URL
    public let converted: ModelFolder
    public let convertedWeights: any TensorSource
    public let originalURL: URL
    public let original: ModelFolder
    public let originalWeights: any TensorSource
    /// `lsg_conversion.json` of the converted folder, when present.
    public let provenance: ConversionProvenance?
    /// Where the original's path came from: `--against` or the provenance file.
    public let originalOrigin: String
    /// The LSG class named by the converted config's `architectures[0]`; `nil` when it is not one.
    public let architecture: LSGArchitecture?
    /// The family: the class's, else the converted config's `model_type`'s, else RoBERTa (so that
    /// the checks still run and report what is wrong).
    public let family: ModelFamily
    /// Sizes from the converted config (missing keys take RobertaConfig's defaults, see `missingSizeKeys`).
    public let sizes: ModelSizes
    /// Size keys config.json lacks (reported by the config check).
    public let missingSizeKeys: [String]
    /// bos / mask ids for the global init.
    public let specialTokens: SpecialTokens
    /// Original tensor name -> converted tensor name, for every copied tensor check 2 found
    /// bit-identical (after the dtype cast the conversion applied). Filled by ``CopiedWeightsCheck``;
    /// the output checks then run the original from the converted file's pages for these tensors
    /// instead of mapping the same bytes twice (issue 14).
    public internal(set) var identicalCopies: [String: String] = [:]
    /// Converted tensor name -> the one-pass finiteness scan and byte comparison check 1 ran on it
    /// (``CopiedTensorScan``), which check 2 then does not repeat.
    var copyScans: [String: CopiedTensorScan] = [:]

    /// Opens `convertedPath` and its original (`againstPath`, else the provenance's `source.path`).
    /// Throws ``VerificationError`` when either cannot be read or no original is known.
    public init(convertedPath: String, againstPath: String?) throws {
        convertedURL = URL(fileURLWithPath: convertedPath).standardizedFileURL
        do {
            converted = try ModelFolder(url: convertedURL)
            provenance = try ConversionProvenance.read(folder: convertedURL)
            let resolved: URL
            if let againstPath {
                resolved = URL(fileURLWithPath: againstPath).standardizedFileURL
                originalOrigin = "--against"
            } else if let provenance, let url = provenance.sourceURL(relativeTo: convertedURL) {
                resolved = url
                originalOrigin = "\(ConversionProvenance.fileName) source.path"
            } else if let provenance {
                let name = provenance.sourceName.map { " (source name `\($0)`)" } ?? ""
                throw VerificationError.noOriginal(converted: convertedPath,
                                                   reason: "\(ConversionProvenance.fileName) records no source path\(name)")
            } else {
                throw VerificationError.noOriginal(converted: convertedPath, reason: "no \(ConversionProvenance.fileName) beside the weights")
            }
            guard FileManager.default.fileExists(atPath: resolved.path) else {
                throw VerificationError.originalNotFound(path: resolved.path, origin: originalOrigin)
            }
            originalURL = resolved
            original = try ModelFolder(url: resolved)
            convertedWeights = try converted.openWeights()
            originalWeights = try original.openWeights()
        } catch let error as CheckpointError {
            throw VerificationError.unreadable(error)
        }
        let config = converted.config
        architecture = converted.architecture.flatMap { LSGArchitecture(className: $0) }
        family = architecture?.family ?? config["model_type"]?.stringValue.flatMap(ModelFamily.forModelType) ?? .roberta
        var missing: [String] = []
        func size(_ key: String, _ fallback: Int) -> Int {
            if let value = config[key]?.intValue { return value }
            missing.append(key)
            return fallback
        }
        // Fallbacks are RobertaConfig's defaults, used only to keep checking; the config check
        // reports the missing keys.
        let vocab = size("vocab_size", 50265), hidden = size("hidden_size", 768)
        let layers = size("num_hidden_layers", 12), heads = size("num_attention_heads", 12)
        let intermediate = size("intermediate_size", 3072), positions = size("max_position_embeddings", 512)
        let typeVocab = size("type_vocab_size", 2)
        let labels = config["id2label"]?.objectValue?.count ?? config["num_labels"]?.intValue ?? 2
        sizes = ModelSizes(vocab: vocab, hidden: hidden, layers: layers, heads: heads, intermediate: intermediate,
                           positions: positions, typeVocab: typeVocab, numLabels: labels)
        missingSizeKeys = missing
        specialTokens = SpecialTokens.resolve(converted: convertedURL, original: originalURL, config: config)
    }

    /// The converted config.json.
    public var config: JSONValue { converted.config }

    /// Whether the original is already an LSG model (reference §2 step 2: `base_model_prefix == "lsg"`
    /// or an architecture name containing "LSG").
    public var originalIsLSG: Bool {
        original.config["base_model_prefix"]?.stringValue == "lsg" || (original.architecture?.contains("LSG") ?? false)
    }

    /// The original's tensor for a converted name: the same name, or the name with the family's
    /// prefix (`roberta.`) added or stripped (the conversion changes the prefix with the head class).
    public func originalName(for convertedName: String) -> String? {
        let bare = unprefixed(convertedName)
        for candidate in [convertedName, family.backbonePrefix + bare, bare] where originalWeights.info(named: candidate) != nil {
            return candidate
        }
        return nil
    }

    /// Prefix of the converted backbone tensors: the class's, or (class unknown) whatever the
    /// weights use.
    public var backbonePrefix: String {
        if let architecture { return architecture.backbonePrefix }
        return convertedWeights.info(named: "embeddings.word_embeddings.weight") != nil ? "" : family.backbonePrefix
    }

    /// `name` without the family's backbone prefix.
    public func unprefixed(_ name: String) -> String {
        name.hasPrefix(family.backbonePrefix) ? String(name.dropFirst(family.backbonePrefix.count)) : name
    }

    /// The converted name of a backbone tensor (`embeddings.position_embeddings.weight`...).
    public func convertedBackboneName(_ bare: String) -> String { backbonePrefix + bare }

    /// The original's name of a backbone tensor, whichever prefix it uses; `nil` when absent.
    public func originalBackboneName(_ bare: String) -> String? {
        for candidate in [family.backbonePrefix + bare, bare] where originalWeights.info(named: candidate) != nil { return candidate }
        return nil
    }
}
