import ArgumentParser
import Foundation
import LSGConversion

/// `lsg-convert upgrade LSG_FOLDER --output DIR | --in-place`: our modeling files for an existing LSG
/// folder (see ``LSGUpgrader`` and docs/conversion.md).
struct UpgradeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "upgrade",
        abstract: "Give an existing LSG model folder lsg-convert's modeling files, so it loads on current transformers.",
        discussion: """
        LSG_FOLDER is a folder lsg-converter (or lsg-convert) wrote, or a hub name (ccdv/lsg-base-4096) \
        found in the Hugging Face cache (downloaded unless HF_HUB_OFFLINE=1). The weights are hard-linked \
        or copied, never rewritten; every other file is kept; config.json only gets auto_map pointing to \
        our modules and tokenizer_class when it has none. The family's modeling files replace the old \
        ones. The output appears atomically; --in-place replaces the folder the same way.
        """
    )

    @Argument(help: "An LSG model folder, or a hub model id looked up in the local Hugging Face cache.")
    var folder: String

    @Option(help: "Hub revision (branch, tag or commit) when LSG_FOLDER is a cache name.")
    var revision: String = "main"

    @Option(name: .shortAndLong, help: "Where to write the upgraded folder.")
    var output: String?

    @Flag(help: "Upgrade LSG_FOLDER itself (atomically: the upgraded copy is renamed over it).")
    var inPlace = false

    @Flag(help: "Replace an existing non-empty --output folder.")
    var force = false

    @Flag(help: "Print what would change and write nothing.")
    var dryRun = false

    func validate() throws {
        if inPlace == (output != nil) {
            throw ValidationError("give exactly one of --output DIR and --in-place")
        }
    }

    func run() throws {
        try CommandSupport.reportingErrors { try upgrade() }
    }

    private func upgrade() throws {
        let isLocalPath = FileManager.default.fileExists(atPath: (folder as NSString).expandingTildeInPath)
        let folderURL = try ModelArgument.resolveFolder(folder, revision: revision)
        if inPlace && (!isLocalPath || Self.isCacheSnapshot(folderURL)) {
            throw ConversionError(.invalidOption, "--in-place",
                                  "\(folderURL.path) is a Hugging Face cache snapshot; the cache is not modified, use --output DIR")
        }
        let upgrader = try LSGUpgrader(folder: folderURL)
        let plan = try upgrader.plan()
        let destination = inPlace ? folderURL : URL(fileURLWithPath: (output! as NSString).expandingTildeInPath)
        if dryRun {
            print("Upgrade \(folderURL.path) (\(plan.family.modelType)) -> \(destination.standardizedFileURL.path)")
            for line in plan.summary { print("  \(line)") }
            print("  weights kept: \(plan.weightFiles.joined(separator: ", "))")
            return
        }
        if inPlace && plan.isCurrent {
            print("\(folder) is already current: nothing to do")
            return
        }
        try upgrader.upgrade(plan, to: destination, force: force)
        print("Upgraded \(folder) -> \(inPlace ? folderURL.path : output!)")
        for line in plan.summary { print("  \(line)") }
        print("  weights kept byte for byte: \(plan.weightFiles.joined(separator: ", "))")
    }

    /// `.../models--ORG--NAME/snapshots/<commit>` (or a folder inside one).
    static func isCacheSnapshot(_ url: URL) -> Bool {
        let parts = url.standardizedFileURL.pathComponents
        guard let index = parts.lastIndex(of: "snapshots"), index > 0 else { return false }
        return parts[index - 1].hasPrefix("models--")
    }
}
