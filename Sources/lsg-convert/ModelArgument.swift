import ArgumentParser
import Foundation
import HubCache

/// Turns the MODEL argument into a model folder: an existing path as is; else a snapshot of the
/// local Hugging Face cache (`roberta-base` and `FacebookAI/roberta-base` are the same model), else a
/// download into that cache unless `HF_HUB_OFFLINE` is set (``HubCache/ModelResolver``). When nothing
/// is found the error lists every place looked in.
enum ModelArgument {
    static func resolveFolder(_ argument: String, revision: String) throws -> URL {
        try ModelResolver(log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
            .resolve(name: argument, revision: revision, requirement: .model)
    }

    /// `NAME` in the default output `./NAME-lsg-<max-len>`: the last path component of the argument
    /// (`FacebookAI/roberta-base` -> `roberta-base`).
    static func shortName(_ argument: String) -> String {
        let trimmed = argument.hasSuffix("/") ? String(argument.dropLast()) : argument
        let last = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        return last.isEmpty || last == "." || last == ".." ? "model" : last
    }
}
