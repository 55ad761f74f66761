import CheckpointIO
import Foundation
import ModelFamilies
import ModelingFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `lsg-convert upgrade`: gives an existing LSG folder (one lsg-converter wrote, or an LSG model from
/// the hub cache such as `ccdv/lsg-base-4096`) our modeling files, so that it loads with
/// `trust_remote_code=True` on current transformers. The weights are hard-linked (copied when the
/// file system refuses), never rewritten; every other file is copied unchanged; config.json changes
/// only in what loading needs. The result appears atomically (``OutputFolder``).
public struct LSGUpgrader {
    public let folder: ModelFolder
    /// Our files (the binary's by default).
    public var modelingFiles: ModelingFileSet = .embedded

    /// Opens `url` (config.json and weights must be there).
    public init(folder url: URL) throws {
        folder = try ModelFolder(url: url)
    }

    /// Decides every change; refuses a folder that is not LSG or of a family we have no files for.
    public func plan() throws -> UpgradePlan {
        let config = folder.config
        let path = folder.url.path
        let architecture = config["architectures"]?.arrayValue?.first?.stringValue
        // Reference §2: an LSG model has base_model_prefix "lsg" or an LSG architecture.
        let isLSG = config["base_model_prefix"]?.stringValue == "lsg" || (architecture?.hasPrefix("LSG") ?? false)
        guard isLSG else {
            throw ConversionError(.unsupportedArchitecture, path,
                                  "is not an LSG model (config.json has no base_model_prefix \"lsg\" and architectures[0] = \(architecture ?? "none") is not an LSG class); convert it with `lsg-convert convert` instead")
        }
        let modelType = config["model_type"]?.stringValue ?? "(none)"
        guard let family = ModelFamily.forModelType(modelType) else {
            throw ConversionError(.unsupportedModelType, path,
                                  "model_type \(modelType) is not a family lsg-convert has modeling files for (\(ModelFamily.all.map(\.modelType).joined(separator: ", ")))")
        }
        let files = try modelingFiles.closure(of: family.modelingModule)

        var upgraded = config
        var changes: [String] = []
        // auto_map: our module for each of the family's Auto classes; other entries (AutoTokenizer...) kept.
        var autoMap = config["auto_map"].flatMap { $0.objectValue != nil ? $0 : nil } ?? .object([])
        let autoMapWasSorted = Self.isSorted(autoMap)
        for (key, value) in family.autoMap.objectValue ?? [] where autoMap[key] != value {
            changes.append("auto_map.\(key): \(autoMap[key]?.serialized(indent: nil) ?? "(missing)") -> \(value.serialized(indent: nil))")
            autoMap.set(key, value)
        }
        if autoMapWasSorted { autoMap = Self.sortedTopLevel(autoMap) }
        upgraded.set("auto_map", autoMap)
        if config["tokenizer_class"]?.stringValue == nil {
            let name = TokenizerClassName.forFolder(folder.url, family: family)
            changes.append("tokenizer_class: \(config["tokenizer_class"] == nil ? "(missing)" : "null") -> \"\(name)\" (transformers 4.36's pipeline needs it with remote code)")
            upgraded.set("tokenizer_class", .string(name))
        }
        if Self.isSorted(config) { upgraded = Self.sortedTopLevel(upgraded) }

        let actions: [(file: ModelingFile, action: UpgradePlan.FileAction)] = files.map { file in
            guard let bytes = FileManager.default.contents(atPath: folder.url.appendingPathComponent(file.name).path) else { return (file, .added) }
            return (file, bytes == file.bytes ? .unchanged : .replaced)
        }
        let root = folder.url.resolvingSymlinksInPath().standardizedFileURL.path
        let weights = try folder.weightFiles().map { url -> String in
            let full = url.standardizedFileURL.path
            return full.hasPrefix(root + "/") ? String(full.dropFirst(root.count + 1)) : url.lastPathComponent
        }
        return UpgradePlan(family: family, originalConfig: config, config: changes.isEmpty ? nil : upgraded,
                           configChanges: changes, modelingFiles: actions, weightFiles: weights)
    }

    /// Writes the upgraded folder to `destination` (a new folder; an existing non-empty one only with
    /// `force`), or replaces ``folder`` itself when `destination` is its path (`--in-place`).
    public func upgrade(_ plan: UpgradePlan, to destination: URL, force: Bool) throws {
        let sourcePath = folder.url.resolvingSymlinksInPath().standardizedFileURL.path
        let destinationPath = destination.resolvingSymlinksInPath().standardizedFileURL.path
        let inPlace = sourcePath == destinationPath
        if !inPlace, sourcePath.hasPrefix(destinationPath + "/") {
            throw ConversionError(.outputExists, destination.path, "contains the folder being upgraded; choose another --output")
        }
        // In place: the new folder is built beside the old one and renamed over it, so the folder is
        // either the old one or the upgraded one, never a mix.
        let output = try OutputFolder(destination: inPlace ? URL(fileURLWithPath: sourcePath) : destination, force: force || inPlace)
        do {
            try populate(output, plan: plan, sourceRoot: URL(fileURLWithPath: sourcePath))
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
    }

    /// Every file of the source folder into the temporary folder: weights linked, config.json and
    /// the modeling files replaced, the rest copied.
    private func populate(_ output: OutputFolder, plan: UpgradePlan, sourceRoot: URL) throws {
        let replaced = Set(plan.modelingFiles.map(\.file.name) + (plan.config == nil ? [] : ["config.json"]))
        let weights = Set(plan.weightFiles)
        try copyTree(from: sourceRoot, relative: "", into: output.temporary, skipping: replaced, linking: weights)
        if let text = plan.configText {
            try write(Data(text.utf8), to: output.url("config.json"))
        }
        for (file, _) in plan.modelingFiles {
            try write(file.bytes, to: output.url(file.name))
        }
    }

    private func copyTree(from root: URL, relative: String, into target: URL, skipping: Set<String>, linking: Set<String>) throws {
        let folderURL = relative.isEmpty ? root : root.appendingPathComponent(relative)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folderURL.path).sorted()
        } catch {
            throw ConversionError(.outputFailed, folderURL.path, "cannot list: \(OutputFolder.reason(error))")
        }
        for name in names {
            let path = relative.isEmpty ? name : relative + "/" + name
            if relative.isEmpty && skipping.contains(name) { continue }
            // Leftovers of an interrupted run of ours beside or inside the folder are not model files.
            if name.hasPrefix(".") && (name.contains(".tmp-") || name.contains(".old-")) { continue }
            let source = root.appendingPathComponent(path).resolvingSymlinksInPath()   // cache snapshots hold symlinks into blobs/
            let destination = target.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
                throw ConversionError(.invalidSource, root.appendingPathComponent(path).path, "is a broken link")
            }
            if isDirectory.boolValue {
                guard mkdir(destination.path, 0o777) == 0 else {
                    throw ConversionError(.outputFailed, destination.path, "cannot create: \(String(cString: strerror(errno)))")
                }
                try copyTree(from: root, relative: path, into: target, skipping: skipping, linking: linking)
            } else if linking.contains(path) || Self.fileSize(source) >= Self.linkThreshold, link(source.path, destination.path) == 0 {
                continue
            } else {
                // Not a weight file, or the file system refuses hard links (EXDEV, EPERM...): a byte copy.
                do {
                    try FileManager.default.copyItem(atPath: source.path, toPath: destination.path)
                } catch {
                    throw ConversionError(.outputFailed, destination.path, "cannot copy \(source.path): \(OutputFolder.reason(error))")
                }
            }
        }
    }

    /// Files this large are hard-linked too (a second weight format, optimizer states...): they are
    /// never modified, and copying gigabytes would be the slow part of an upgrade.
    static let linkThreshold = 1 << 20

    static func fileSize(_ url: URL) -> Int {
        (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    }

    private func write(_ data: Data, to url: URL) throws {
        do {
            try data.write(to: url)
        } catch {
            throw ConversionError(.outputFailed, url.path, "cannot write: \(OutputFolder.reason(error))")
        }
    }

    /// Whether an object's keys are in `sort_keys=True` order (save_pretrained's), so that our
    /// additions keep that order; a hand-written config keeps its own order, additions at the end.
    static func isSorted(_ value: JSONValue) -> Bool {
        guard let pairs = value.objectValue else { return false }
        return zip(pairs, pairs.dropFirst()).allSatisfy { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }
    }

    static func sortedTopLevel(_ value: JSONValue) -> JSONValue {
        guard let pairs = value.objectValue else { return value }
        return .object(pairs.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) })
    }
}
