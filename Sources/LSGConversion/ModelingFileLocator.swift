import Foundation
import ModelFamilies

/// Finds the reference's remote-code file (`lsg_converter/roberta/modeling_lsg_roberta.py`) in an
/// installed `lsg-converter`, without running Python: `LSG_MODELING_FILE` (the file, or a folder
/// holding it), then the `site-packages`/`dist-packages` of the active virtualenv/conda env, of
/// `.venv*`/`venv` folders in the working directory, of `~/.virtualenvs`, `~/.pyenv`, `~/.local`,
/// and of the system Pythons.
public enum ModelingFileLocator {
    /// The first existing candidate for `family`, or `nil`.
    public static func locate(family: ModelFamily, environment: [String: String] = ProcessInfo.processInfo.environment,
                              workingDirectory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)) -> URL? {
        candidates(family: family, environment: environment, workingDirectory: workingDirectory)
            .first { FileManager.default.isReadableFile(atPath: $0.path) }
    }

    /// Every path looked at, in order (printed when nothing is found).
    public static func candidates(family: ModelFamily, environment: [String: String], workingDirectory: URL) -> [URL] {
        let fileName = family.modelingModule + ".py"
        var out: [URL] = []
        if let explicit = environment["LSG_MODELING_FILE"], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
                out.append(url.appendingPathComponent(fileName))
                out.append(url.appendingPathComponent(family.modelingFileRelativePath))
            } else {
                out.append(url)
            }
        }
        var prefixes: [URL] = []
        for key in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
            if let value = environment[key], !value.isEmpty { prefixes.append(URL(fileURLWithPath: value)) }
        }
        prefixes += children(of: workingDirectory) { $0.hasPrefix(".venv") || $0 == "venv" || $0 == "env" }
        let home = URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory())
        prefixes += children(of: home) { $0.hasPrefix(".venv") || $0 == "venv" }
        prefixes += children(of: home.appendingPathComponent(".virtualenvs")) { _ in true }
        prefixes += children(of: home.appendingPathComponent(".pyenv/versions")) { _ in true }
        prefixes += children(of: home.appendingPathComponent("miniconda3/envs")) { _ in true }
        prefixes += [home.appendingPathComponent(".local"), home.appendingPathComponent("miniconda3"),
                     URL(fileURLWithPath: "/usr/local"), URL(fileURLWithPath: "/usr"), URL(fileURLWithPath: "/opt/conda")]
        for prefix in prefixes {
            for lib in children(of: prefix.appendingPathComponent("lib"), where: { $0.hasPrefix("python3") }) {
                for packages in ["site-packages", "dist-packages"] {
                    out.append(lib.appendingPathComponent(packages).appendingPathComponent(family.modelingFileRelativePath))
                }
            }
        }
        return out
    }

    private static func children(of folder: URL, where keep: (String) -> Bool) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter(keep).sorted().map { folder.appendingPathComponent($0) }
    }

    /// What to tell the user when the file is not found.
    public static func loadingHint(family: ModelFamily, head: TaskHead, output: String) -> String {
        let module = "lsg_converter.\(family.packageDirectory).\(family.modelingModule)"
        return """
        \(family.modelingModule).py was not found (pip install lsg-converter==0.1.9, or set LSG_MODELING_FILE), so \
        AutoModel with trust_remote_code=True cannot load the folder yet. Either copy that file into \(output), or load with:
            from \(module) import \(family.lsgClassName(head))
            model = \(family.lsgClassName(head)).from_pretrained("\(output)")
        """
    }
}
