import Foundation

/// One Python module of the project's `modeling/` folder (e.g. `modeling_lsg_roberta.py`), as
/// embedded in the binary at build time.
public struct ModelingFile: Sendable, Equatable {
    /// File name with `.py` (`modeling_lsg_roberta.py`).
    public let name: String
    /// The file's exact bytes.
    public let bytes: Data

    public init(name: String, bytes: Data) {
        self.name = name
        self.bytes = bytes
    }

    /// Reads a file from disk (an explicit `--modeling-file`); symlinks are followed.
    public init(contentsOf url: URL) throws {
        do {
            self.init(name: url.lastPathComponent, bytes: try Data(contentsOf: url.resolvingSymlinksInPath()))
        } catch {
            throw ModelingFileError(.unreadable, url.path, "cannot be read: \((error as NSError).localizedDescription)")
        }
    }

    /// The module name: the file name without `.py`.
    public var moduleName: String { name.hasSuffix(".py") ? String(name.dropLast(3)) : name }

    /// Modules of the same folder this file imports relatively (`from .NAME import ...`,
    /// `from . import NAME`), in order of first appearance.
    public var relativeImports: [String] { PythonRelativeImports.modules(in: String(decoding: bytes, as: UTF8.self)) }
}
