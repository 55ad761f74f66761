import ArgumentParser
import Foundation

/// Turns the MODEL argument into a model folder.
///
/// Seam for the Hugging Face cache: today only a folder path is accepted; name resolution
/// (`roberta-base`, `FacebookAI/roberta-base` -> `…/hub/models--FacebookAI--roberta-base/snapshots/<rev>`)
/// is wired here once the `HubCache` target lands.
enum ModelArgument {
    /// The folder for `argument`, or a usage error saying where it looked.
    static func resolveFolder(_ argument: String) throws -> URL {
        let url = URL(fileURLWithPath: (argument as NSString).expandingTildeInPath)
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            return url
        }
        throw ValidationError("MODEL \"\(argument)\": no folder at \(url.path) (Hugging Face cache names are not resolved yet: pass the snapshot folder)")
    }

    /// `NAME` in the default output `./NAME-lsg-<max-len>`: the last path component of the argument
    /// (`FacebookAI/roberta-base` -> `roberta-base`).
    static func shortName(_ argument: String) -> String {
        let trimmed = argument.hasSuffix("/") ? String(argument.dropLast()) : argument
        let last = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        return last.isEmpty || last == "." || last == ".." ? "model" : last
    }
}
