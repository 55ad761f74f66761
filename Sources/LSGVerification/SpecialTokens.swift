import CheckpointIO
import Foundation

/// The `bos` and `mask` token ids the deterministic global init uses (reference §2 step 6:
/// `tokenizer.bos_token_id`, else `cls_token_id`, else config `bos_token_id`; `tokenizer.mask_token_id`),
/// read from a folder's tokenizer files the way `AutoTokenizer` resolves them.
public struct SpecialTokens: Sendable, Equatable {
    public var bos: Int?
    public var mask: Int?
    /// Where the ids came from, for the report (`tokenizer files of <folder>`, `config.json`).
    public var origin: String

    public init(bos: Int?, mask: Int?, origin: String) {
        self.bos = bos
        self.mask = mask
        self.origin = origin
    }

    /// The ids a folder's tokenizer files define (``SpecialTokenIDs``, shared with the converter so
    /// both read tokenizer files the same way); `nil` for what the files do not define.
    public static func read(folder: URL) -> (bos: Int?, mask: Int?) {
        let ids = SpecialTokenIDs.read(folder: folder, config: .object([]))
        return (ids.bos, ids.mask)
    }

    /// The ids for a conversion: the converted folder's tokenizer files (copied from the source),
    /// then the original's, then config.json `bos_token_id` (bos only; there is no config mask id).
    public static func resolve(converted: URL, original: URL?, config: JSONValue) -> SpecialTokens {
        var bos: Int?, mask: Int?
        var origins: [String] = []
        for folder in [converted] + (original.map { [$0] } ?? []) {
            let found = read(folder: folder)
            if bos == nil, let id = found.bos { bos = id; origins.append("bos from \(folder.lastPathComponent) tokenizer") }
            if mask == nil, let id = found.mask { mask = id; origins.append("mask from \(folder.lastPathComponent) tokenizer") }
        }
        if bos == nil, let id = config["bos_token_id"]?.intValue { bos = id; origins.append("bos from config.json") }
        return SpecialTokens(bos: bos, mask: mask, origin: origins.joined(separator: ", "))
    }
}
