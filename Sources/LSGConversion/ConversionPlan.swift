import CheckpointIO
import Foundation
import ModelFamilies

/// Everything a conversion will do, decided and validated before anything is written: the output
/// tensors with their rules, the dropped source tensors, the new config. `description` is what
/// `--dry-run` prints.
public struct ConversionPlan: Sendable {
    /// One tensor of the output model.safetensors.
    public struct Entry: Sendable, Equatable {
        /// Name, dtype and shape as written.
        public var info: TensorInfo
        public var rule: TensorRule
    }

    /// A source tensor that is not written, and why.
    public struct Dropped: Sendable, Equatable {
        public var name: String
        public var reason: String
    }

    public var family: ModelFamily
    public var head: TaskHead
    /// `LSGRobertaForMaskedLM`...
    public var targetClass: String
    /// The source's `architectures[0]`, if any.
    public var sourceArchitecture: String?
    /// The source already is an LSG model (config `base_model_prefix == "lsg"` or an `LSG` class).
    public var sourceIsLSG: Bool
    public var sourceFormat: CheckpointFormat
    public var maxLength: Int
    public var entries: [Entry]
    public var dropped: [Dropped]
    /// config.json of the output (serialize with `sortedKeys()`).
    public var config: JSONValue
    public var specialTokens: SpecialTokenIDs
    /// Settings the reference accepts with a warning, and ignored flags.
    public var warnings: [String]
    /// Seed of every random draw.
    public var seed: UInt64
    /// `initializer_range` of the config (std of new random weights).
    public var initializerRange: Double
    /// The source's sentence-transformers files, copied along (`nil`: not such an export).
    public var sentenceTransformers: SentenceTransformersFiles? = nil

    public func entry(named name: String) -> Entry? { entries.first { $0.info.name == name } }

    /// Total bytes of the output tensors.
    public var outputByteCount: Int { entries.reduce(0) { $0 + $1.info.byteCount } }
}

extension ConversionPlan: CustomStringConvertible {
    public var description: String {
        var lines: [String] = []
        let arch = sourceArchitecture ?? "no architectures in config.json"
        lines.append("Source: \(arch) (model_type \(family.modelType), \(sourceFormat.rawValue)\(sourceIsLSG ? ", already LSG" : ""))")
        lines.append("Target: \(targetClass), max length \(maxLength) (\(maxLength + family.positionOffset) positions)")
        let width = entries.map { $0.rule.label.count }.max() ?? 0
        lines.append("Tensors: \(entries.count) written (\(Self.bytes(outputByteCount))), \(dropped.count) dropped")
        for entry in entries {
            let label = entry.rule.label.padding(toLength: max(width, 7), withPad: " ", startingAt: 0)
            var line = "  \(label)  \(entry.info.name)  \(entry.info.dtype.rawValue) \(entry.info.shape)"
            switch entry.rule {
            case .copied: break
            case let .renamed(from): line += "  <- \(from)"
            case let .extendedPositions(from, rows):
                let offset = family.positionOffset
                let copies = PositionEmbeddings.copies(maxLength: maxLength, sourceRows: rows, offset: offset)
                line += "  <- \(from) [\(rows) rows]: " + (offset > 0 ? "rows 0-\(offset - 1) kept, rows \(offset)-\(rows - 1)" : "rows 0-\(rows - 1)") + " tiled \(copies)x"
            case let .generatedGlobals(initializer):
                switch initializer {
                case let .deterministic(bos, mask, stride, keep):
                    line += "  positions ordered with stride \(stride) + word[\(bos)] (row 0) / word[\(mask)]"
                        + (family.globalsAddTokenType ? " + token_type[0]" : "") + (keep ? "; row 0 kept from the source" : "")
                case let .random(bos, stride, keep):
                    line += "  multivariate normal of the word embeddings (seed \(seed)), row 0 = word[\(bos)], + positions ordered with stride \(stride)"
                        + (family.globalsAddTokenType ? " + token_type[0] (twice in row 0, as the reference does)" : "") + (keep ? "; row 0 kept from the source" : "")
                }
            case let .newTensor(initializer, std):
                switch initializer {
                case .normal: line += "  normal(0, \(std)), seed \(seed)"
                case .zeros: line += "  zeros"
                case .ones: line += "  ones"
                }
            }
            lines.append(line)
        }
        for drop in dropped {
            lines.append("  \("dropped".padding(toLength: max(width, 7), withPad: " ", startingAt: 0))  \(drop.name)  (\(drop.reason))")
        }
        lines.append("Config: " + ["block_size", "sparse_block_size", "sparsity_factor", "sparsity_type", "num_global_tokens",
                                   "mask_first_token", "pool_with_global", "adaptive", "max_position_embeddings", "torch_dtype"]
            .map { "\($0)=\(config[$0]?.serialized(indent: nil) ?? "?")" }.joined(separator: " "))
        for warning in warnings { lines.append("warning: \(warning)") }
        return lines.joined(separator: "\n")
    }

    static func bytes(_ n: Int) -> String {
        if n >= 1 << 30 { return String(format: "%.2f GiB", Double(n) / Double(1 << 30)) }
        if n >= 1 << 20 { return String(format: "%.1f MiB", Double(n) / Double(1 << 20)) }
        if n >= 1 << 10 { return String(format: "%.1f KiB", Double(n) / Double(1 << 10)) }
        return "\(n) B"
    }
}
