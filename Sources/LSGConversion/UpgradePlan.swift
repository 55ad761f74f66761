import CheckpointIO
import Foundation
import ModelFamilies
import ModelingFiles

/// What `lsg-convert upgrade` changes in an existing LSG folder: config.json's `auto_map` (pointed at
/// our modules) and a missing `tokenizer_class`, plus the family's modeling files. Everything else,
/// the weights first, is kept byte for byte. Built by ``LSGUpgrader/plan()``; nothing is written.
public struct UpgradePlan: Sendable {
    /// What happens to one modeling file.
    public enum FileAction: String, Sendable {
        /// Absent from the folder: written.
        case added
        /// Present with other bytes (the reference's, or an older version of ours): replaced.
        case replaced
        /// Already byte-identical to ours.
        case unchanged
    }

    public let family: ModelFamily
    /// The folder's config.json as read.
    public let originalConfig: JSONValue
    /// The upgraded config.json, or `nil` when it needs no change (the file is then kept as is).
    public let config: JSONValue?
    /// One line per config change (`auto_map.AutoModel: x -> y`, `tokenizer_class: added ...`).
    public let configChanges: [String]
    /// The family's modeling files (module first, then the siblings it imports) and what happens to each.
    public let modelingFiles: [(file: ModelingFile, action: FileAction)]
    /// Weight files (hard-linked, else copied; never rewritten), relative to the folder.
    public let weightFiles: [String]

    /// Nothing to do: config and modeling files are already current.
    public var isCurrent: Bool { config == nil && modelingFiles.allSatisfy { $0.action == .unchanged } }

    /// The config.json text as transformers writes it (`json.dumps(indent=2, sort_keys=True)` plus a
    /// newline; key order is kept when the source's keys were not sorted).
    public var configText: String? { config.map { $0.serialized(indent: 2, asciiOnly: true) + "\n" } }

    /// A summary, one change per line.
    public var summary: [String] {
        var lines = configChanges.map { "config.json: \($0)" }
        for (file, action) in modelingFiles { lines.append("\(file.name): \(action.rawValue)") }
        return lines
    }
}
