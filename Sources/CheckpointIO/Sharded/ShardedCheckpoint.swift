import Foundation

/// A checkpoint split over several files and described by a Hugging Face shard index
/// (`model.safetensors.index.json` or `pytorch_model.bin.index.json`: `{"metadata": {...},
/// "weight_map": {tensor: shard file}}`).
///
/// Cross-checked on open, as llama.cpp's converter does: every listed shard exists, every tensor of the
/// map is in the shard it names, and every tensor of every shard is listed exactly once.
public final class ShardedCheckpoint: TensorSource {
    public let indexPath: String
    public let format: CheckpointFormat
    public let tensorInfos: [TensorInfo]
    public let metadata: [String: String]
    /// Shard file names in the order of their first appearance in the map.
    public let shardNames: [String]
    private let shards: [String: any TensorSource]
    private let routing: [String: String]

    public init(indexPath: String) throws {
        self.indexPath = indexPath
        let indexFile = try MappedFile(path: indexPath)
        let json: JSONValue
        do {
            json = try JSONParser.parse(indexFile.bytes)
        } catch {
            throw CheckpointError(.malformed, file: indexPath, offset: error.offset, "shard index: \(error.message)")
        }
        guard let weightMap = json["weight_map"]?.objectValue else {
            throw CheckpointError(.malformed, file: indexPath, "shard index has no `weight_map` object")
        }
        var metadata: [String: String] = [:]
        for (key, value) in json["metadata"]?.objectValue ?? [] {
            metadata[key] = value.stringValue ?? value.serialized(indent: nil)
        }
        self.metadata = metadata
        let directory = (indexPath as NSString).deletingLastPathComponent

        var routing: [String: String] = [:]
        var order: [String] = []
        var seenShards = Set<String>()
        for (tensor, value) in weightMap {
            guard let shard = value.stringValue, !shard.isEmpty, !shard.contains("/"), shard != "..", shard != "." else {
                throw CheckpointError(.malformed, file: indexPath, tensor: tensor, "shard index: shard name must be a plain file name")
            }
            routing[tensor] = shard
            // A set, not `order.contains`: an index listing n tensors in n distinct shards would
            // otherwise take n^2/2 string comparisons before the first missing shard is reported.
            if seenShards.insert(shard).inserted { order.append(shard) }
        }
        var shards: [String: any TensorSource] = [:]
        var infos: [TensorInfo] = []
        var owner: [String: String] = [:]
        var formats = Set<CheckpointFormat>()
        for shard in order {
            let shardPath = directory.isEmpty ? shard : directory + "/" + shard
            guard FileManager.default.fileExists(atPath: shardPath) else {
                throw CheckpointError(.notFound, file: indexPath, "shard `\(shard)` listed in the index is missing")
            }
            let source = try Checkpoint.open(path: shardPath)
            formats.insert(source.format)
            shards[shard] = source
            for info in source.tensorInfos {
                if let other = owner[info.name] {
                    throw CheckpointError(.inconsistent, file: shardPath, tensor: info.name, "also stored in shard `\(other)`")
                }
                owner[info.name] = shard
                guard let listed = routing[info.name] else {
                    throw CheckpointError(.inconsistent, file: shardPath, tensor: info.name, "not listed in the shard index \(indexPath)")
                }
                guard listed == shard else {
                    throw CheckpointError(.inconsistent, file: shardPath, tensor: info.name, "index says it is in `\(listed)`")
                }
                infos.append(info)
            }
        }
        for (tensor, shard) in routing where owner[tensor] == nil {
            throw CheckpointError(.inconsistent, file: indexPath, tensor: tensor, "listed in shard `\(shard)` but not stored there")
        }
        guard formats.count <= 1 else {
            throw CheckpointError(.inconsistent, file: indexPath, "shards mix formats: \(formats.map(\.rawValue).sorted())")
        }
        self.format = formats.first == .safetensors ? .shardedSafetensors : .shardedPytorch
        self.shards = shards
        self.routing = routing
        self.shardNames = order
        self.tensorInfos = infos
    }

    public func tensor(named name: String) throws -> TensorData {
        guard let shard = routing[name], let source = shards[shard] else {
            throw CheckpointError(.notFound, file: indexPath, tensor: name, "no such tensor")
        }
        return try source.tensor(named: name)
    }
}
