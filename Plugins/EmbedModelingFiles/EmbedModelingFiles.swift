import Foundation
import PackagePlugin

/// Build-tool plugin: turns every `modeling/*.py` of the package into one generated Swift source
/// holding their bytes, so the `lsg-convert` binary carries the project's modeling files and
/// `modeling/` stays their only copy (nothing generated is committed).
///
/// The file list is read each time the build is planned, so adding or removing a `.py` file is
/// picked up by the next `swift build`; editing one re-runs the generator (the files are inputs).
@main
struct EmbedModelingFiles: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let folder = context.package.directoryURL.appending(path: "modeling")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        let inputs = names.filter { $0.hasSuffix(".py") && !$0.hasPrefix(".") }.sorted().map { folder.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedModelingFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) modeling file(s) from modeling/",
                executable: try context.tool(named: "ModelingEmbedder").url,
                arguments: [output.path] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            ),
        ]
    }
}
