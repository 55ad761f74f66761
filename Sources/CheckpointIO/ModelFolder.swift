import Foundation

/// A Hugging Face model folder: `config.json`, the weights (single file or sharded; safetensors
/// preferred over PyTorch, as `transformers` does) and the tokenizer files.
public struct ModelFolder: Sendable {
    /// Weight files in the order `transformers` looks for them.
    public static let weightCandidates = [
        "model.safetensors", "model.safetensors.index.json",
        "pytorch_model.bin", "pytorch_model.bin.index.json",
    ]
    /// Tokenizer files a RoBERTa folder may carry.
    public static let tokenizerFileNames = [
        "tokenizer.json", "vocab.json", "merges.txt", "tokenizer_config.json",
        "special_tokens_map.json", "added_tokens.json", "sentencepiece.bpe.model", "vocab.txt",
    ]

    public let url: URL
    /// config.json, keys in file order.
    public let config: JSONValue
    /// The weight file (or shard index) that will be read.
    public let weightsURL: URL
    /// Tokenizer files present in the folder.
    public let tokenizerFiles: [URL]

    /// Reads `config.json` and locates the weights. Throws ``CheckpointError`` naming what is missing.
    public init(url: URL) throws {
        self.url = url
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CheckpointError(.notFound, file: url.path, "not a model folder")
        }
        let configURL = url.appendingPathComponent("config.json")
        guard fm.fileExists(atPath: configURL.path) else {
            throw CheckpointError(.notFound, file: configURL.path, "missing: a model folder needs config.json")
        }
        config = try Self.readJSON(configURL)
        guard config.objectValue != nil else {
            throw CheckpointError(.malformed, file: configURL.path, "config.json is not a JSON object")
        }
        guard let weights = Self.weightCandidates.map({ url.appendingPathComponent($0) })
            .first(where: { fm.fileExists(atPath: $0.path) })
        else {
            throw CheckpointError(.notFound, file: url.path, "no weights found (looked for \(Self.weightCandidates.joined(separator: ", ")))")
        }
        weightsURL = weights
        tokenizerFiles = Self.tokenizerFileNames.map { url.appendingPathComponent($0) }
            .filter { fm.fileExists(atPath: $0.path) }
    }

    /// Opens the weights (zero-copy where the format allows).
    public func openWeights() throws -> any TensorSource {
        try Checkpoint.open(path: weightsURL.path)
    }

    /// Weight files on disk: the single file, or the index and every shard it names.
    public func weightFiles() throws -> [URL] {
        guard weightsURL.lastPathComponent.hasSuffix(".index.json") else { return [weightsURL] }
        let index = try Self.readJSON(weightsURL)
        // A set for membership: a hostile index can name tens of thousands of shards (see
        // ShardedCheckpoint, where the same quadratic scan took 125 s).
        var names: [String] = []
        var seen = Set<String>()
        for (_, value) in index["weight_map"]?.objectValue ?? [] {
            if let name = value.stringValue, seen.insert(name).inserted { names.append(name) }
        }
        return [weightsURL] + names.map { url.appendingPathComponent($0) }
    }

    /// `model_type` from config.json.
    public var modelType: String? { config["model_type"]?.stringValue }

    /// `architectures[0]` (or the value itself when a string, as older configs have it).
    public var architecture: String? {
        if let list = config["architectures"]?.arrayValue { return list.first?.stringValue }
        return config["architectures"]?.stringValue
    }

    /// Reads and parses a JSON file, with errors naming it.
    public static func readJSON(_ url: URL) throws -> JSONValue {
        let file = try MappedFile(path: url.path)
        do {
            return try JSONParser.parse(file.bytes)
        } catch {
            throw CheckpointError(.malformed, file: url.path, offset: error.offset, error.message)
        }
    }
}
