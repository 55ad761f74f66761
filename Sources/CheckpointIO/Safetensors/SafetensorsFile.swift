/// A memory-mapped safetensors file. Tensors are zero-copy views into the mapping
/// (the data buffer of files written by the reference is 8-byte aligned).
public final class SafetensorsFile: TensorSource {
    public let file: MappedFile
    public let header: SafetensorsHeader
    public let tensorInfos: [TensorInfo]
    private let entryIndex: [String: Int]

    public var format: CheckpointFormat { .safetensors }
    public var metadata: [String: String] { header.metadata }

    /// Maps and validates `path`. Throws ``CheckpointError`` naming the file.
    public convenience init(path: String) throws {
        try self.init(mapped: try MappedFile(path: path))
    }

    public init(mapped: MappedFile) throws {
        file = mapped
        header = try SafetensorsHeader(fileBytes: mapped.bytes, file: mapped.path)
        tensorInfos = header.entries.map(\.info)
        var index: [String: Int] = [:]
        for (i, entry) in header.entries.enumerated() { index[entry.info.name] = i }
        entryIndex = index
    }

    public func tensor(named name: String) throws -> TensorData {
        guard let i = entryIndex[name] else {
            throw CheckpointError(.notFound, file: file.path, tensor: name, "no such tensor")
        }
        let entry = header.entries[i]
        let bytes = try file.slice(offset: header.dataStart + entry.begin, length: entry.end - entry.begin, tensor: name)
        return TensorData(info: entry.info, bytes: bytes, owner: file)
    }
}
