import ArgumentParser
import CheckpointIO
import Foundation

/// `lsg-convert inspect PATH [--json]`: lists every tensor of a checkpoint file or model folder.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the tensors of a checkpoint file or model folder (name, dtype, shape).",
        discussion: """
            PATH is a safetensors file, a PyTorch checkpoint (zip or legacy torch.save), a shard index \
            (*.index.json), or a model folder. The format is detected from the file's first bytes.
            """
    )

    @Argument(help: "Checkpoint file, shard index or model folder.")
    var path: String

    @Flag(help: "Print {\"format\", \"tensors\": [{\"name\", \"dtype\", \"shape\"}]} as JSON on stdout.")
    var json = false

    func run() throws {
        let source = try CommandSupport.reportingErrors { try Self.openSource(path) }
        if json {
            let tensors = JSONValue.array(source.tensorInfos.map { info in
                .object([
                    ("name", .string(info.name)),
                    ("dtype", .string(info.dtype.safetensorsName)),
                    ("shape", .array(info.shape.map { .int(Int64($0)) })),
                ])
            })
            let document = JSONValue.object([
                ("format", .string(source.format.rawValue)),
                ("total_bytes", .int(Int64(source.totalByteCount))),
                ("metadata", .object(source.metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })),
                ("tensors", tensors),
            ])
            print(document.serialized(indent: 2, asciiOnly: false))
            return
        }
        let infos = source.tensorInfos
        let nameWidth = min(max(infos.map(\.name.count).max() ?? 4, 4), 80)
        print("format: \(source.format.rawValue)   tensors: \(infos.count)   size: \(ByteCountText.format(source.totalByteCount))")
        for info in infos {
            let padded = info.name.padding(toLength: max(nameWidth, info.name.count), withPad: " ", startingAt: 0)
            let dtype = info.dtype.safetensorsName.padding(toLength: 5, withPad: " ", startingAt: 0)
            print("\(padded)  \(dtype) [\(info.shape.map(String.init).joined(separator: ", "))]")
        }
    }

    /// A file opens by content; a folder through its config.json weights (or, without config.json,
    /// the first conventional weight file it holds).
    static func openSource(_ path: String) throws -> any TensorSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CheckpointError(.notFound, file: path, "no such file or folder")
        }
        guard isDirectory.boolValue else { return try Checkpoint.open(path: path) }
        let url = URL(fileURLWithPath: path)
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("config.json").path) {
            return try ModelFolder(url: url).openWeights()
        }
        for name in ModelFolder.weightCandidates {
            let candidate = url.appendingPathComponent(name).path
            if FileManager.default.fileExists(atPath: candidate) { return try Checkpoint.open(path: candidate) }
        }
        throw CheckpointError(.notFound, file: path, "no weights found (looked for \(ModelFolder.weightCandidates.joined(separator: ", ")))")
    }
}
