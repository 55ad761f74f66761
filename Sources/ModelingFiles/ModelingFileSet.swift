import Foundation

/// A set of modeling files by name, and the files one module needs: itself plus, recursively, every
/// sibling it imports relatively. ``embedded`` is the project's `modeling/` folder as it was when
/// the binary was built (the EmbedModelingFiles build-tool plugin generates it).
public struct ModelingFileSet: Sendable {
    /// The files, sorted by name.
    public let files: [ModelingFile]

    public init(files: [ModelingFile]) {
        self.files = files.sorted { $0.name < $1.name }
    }

    /// The files compiled into this binary from `modeling/*.py`.
    public static let embedded = ModelingFileSet(files: EmbeddedModelingFiles.files.map { entry in
        // The generator wrote this base64 itself; failing to decode it is a build defect, not an input error.
        guard let bytes = Data(base64Encoded: entry.base64) else { preconditionFailure("corrupt embedded \(entry.name)") }
        return ModelingFile(name: entry.name, bytes: bytes)
    })

    /// Every `*.py` file of a folder (tests compare it with ``embedded``).
    public init(folder: URL) throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".py") && !$0.hasPrefix(".") }
        self.init(files: try names.map { name in
            ModelingFile(name: name, bytes: try Data(contentsOf: folder.appendingPathComponent(name)))
        })
    }

    /// The file of module `module` (`modeling_lsg_roberta`), or `nil`.
    public func file(module: String) -> ModelingFile? {
        files.first { $0.moduleName == module }
    }

    /// The files `module` needs: its own file first, then every module it imports relatively,
    /// recursively, each once. `override` replaces the module's own file (an explicit
    /// `--modeling-file`); its imports are then looked up in this set.
    /// Throws ``ModelingFileError`` when the module or an imported sibling is not in the set.
    public func closure(of module: String, override: ModelingFile? = nil) throws -> [ModelingFile] {
        if let override, override.moduleName != module {
            // transformers imports the module by the name auto_map gives it: another name is never loaded.
            throw ModelingFileError(.wrongFileName, override.name, "must be named \(module).py (the module config.json's auto_map names)")
        }
        guard let root = override ?? file(module: module) else {
            let known = files.map(\.name).joined(separator: ", ")
            throw ModelingFileError(.moduleNotEmbedded, module + ".py",
                                    "not among the modeling files built into this binary (\(known.isEmpty ? "none" : known))")
        }
        var result = [root]
        var queue = [root]
        while !queue.isEmpty {
            let current = queue.removeFirst()
            for name in current.relativeImports where !result.contains(where: { $0.moduleName == name }) {
                guard let imported = file(module: name) else {
                    throw ModelingFileError(.importNotEmbedded, current.name,
                                            "imports .\(name), which is not among the modeling files built into this binary")
                }
                result.append(imported)
                queue.append(imported)
            }
        }
        return result
    }
}
