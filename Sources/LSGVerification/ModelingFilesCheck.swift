import CheckpointIO
import Foundation
import ModelingFiles

/// Check 6: the Python modules config.json's `auto_map` names (and the siblings they import
/// relatively) are lsg-convert's own modeling files, byte-identical to the ones built into this
/// binary. Anything else is reported by file: missing, stale (an older lsg-convert version) or
/// foreign (e.g. the lsg-converter 0.1.9 file, which breaks from transformers 4.45 on), with
/// `lsg-convert upgrade` as the fix.
public enum ModelingFilesCheck {
    /// The phrase our files carry in their header comment; it tells a stale file of ours from a
    /// foreign one. (`lsg-converter`'s files contain "lsg-convert" as a prefix of their own name, so
    /// the bare project name is not enough.)
    public static let marker = "written by lsg-convert"

    /// The modules the model entries of `auto_map` (`AutoConfig`, `AutoModel*`) name (`module.Class`),
    /// in order, the entries that point into another hub repository (`org/repo--module.Class`), and
    /// the other entries (a remote-code tokenizer: not a modeling file, left alone by `upgrade`).
    static func autoMapModules(_ autoMap: JSONValue) -> (modules: [String], otherRepository: [String], others: [String]) {
        var modules: [String] = []
        var otherRepository: [String] = []
        var others: [String] = []
        for (key, value) in autoMap.objectValue ?? [] {
            guard key == "AutoConfig" || key.hasPrefix("AutoModel") else {
                others.append(key)
                continue
            }
            let references = value.arrayValue?.compactMap(\.stringValue) ?? value.stringValue.map { [$0] } ?? []
            for reference in references {
                if reference.contains("--") {
                    otherRepository.append("auto_map.\(key) = \(reference)")
                    continue
                }
                guard let dot = reference.lastIndex(of: ".") else { continue }
                let module = String(reference[..<dot])
                if !modules.contains(module) { modules.append(module) }
            }
        }
        return (modules, otherRepository, others)
    }

    /// Runs the check on `folder` (its config.json is `config`) against `expected` (the binary's files).
    public static func run(folder: URL, config: JSONValue, expected: ModelingFileSet = .embedded) -> CheckResult {
        // A Hugging Face cache snapshot is never upgraded in place (upgrade refuses it).
        let components = folder.standardizedFileURL.pathComponents
        let inCache = components.firstIndex(of: "snapshots").map { $0 > 0 && components[$0 - 1].hasPrefix("models--") } ?? false
        let fix = inCache
            ? "run `lsg-convert upgrade \(folder.path) --output DIR` to get a folder with the current ones"
            : "run `lsg-convert upgrade \(folder.path) --in-place` (or --output DIR) to write the current ones"
        guard let autoMap = config["auto_map"], autoMap.objectValue != nil else {
            return CheckResult(id: .modelingFiles, status: .failed, figure: "no auto_map",
                               message: "config.json has no auto_map, so no modeling file is loaded by trust_remote_code",
                               problems: ["config.json: no auto_map (\(fix))"])
        }
        let (modules, otherRepository, others) = autoMapModules(autoMap)
        let notes = others.isEmpty ? [] : ["auto_map entries not checked (not model classes): \(others.joined(separator: ", "))"]
        var problems = otherRepository.map { "\($0): the code is fetched from another hub repository, not from this folder (\(fix))" }
        var checkedFiles: [String] = []
        var current = 0
        for module in modules {
            let files: [ModelingFile]
            do {
                files = try expected.closure(of: module)
            } catch {
                let name = module + ".py"
                let present = FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path)
                problems.append("\(name): \(present ? "foreign" : "missing") (auto_map names \(module), which is not one of lsg-convert's modeling files: \(error))")
                continue
            }
            for file in files where !checkedFiles.contains(file.name) {
                checkedFiles.append(file.name)
                let url = folder.appendingPathComponent(file.name)
                guard let bytes = FileManager.default.contents(atPath: url.path) else {
                    problems.append("\(file.name): missing (\(fix))")
                    continue
                }
                if bytes == file.bytes {
                    current += 1
                    continue
                }
                let head = String(decoding: bytes.prefix(2048), as: UTF8.self)
                if head.contains(marker) {
                    problems.append("\(file.name): stale (an lsg-convert modeling file, but not this version's; \(fix))")
                } else {
                    problems.append("\(file.name): foreign (not lsg-convert's, e.g. the lsg-converter reference's, which fails on transformers >= 4.45; \(fix))")
                }
            }
        }
        let figure = "\(current)/\(checkedFiles.count) current"
        if problems.isEmpty && !checkedFiles.isEmpty {
            return CheckResult(id: .modelingFiles, status: .passed, figure: figure, value: Double(current),
                               message: "\(checkedFiles.joined(separator: ", ")) identical to lsg-convert's", notes: notes)
        }
        if checkedFiles.isEmpty && problems.isEmpty {
            problems.append("auto_map names no module (\(fix))")
        }
        return CheckResult(id: .modelingFiles, status: .failed, figure: figure, value: Double(current),
                           message: "modeling files are not lsg-convert's current ones", problems: problems, notes: notes)
    }
}
