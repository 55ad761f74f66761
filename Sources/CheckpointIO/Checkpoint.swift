/// Opens checkpoint files by content, not by name.
public enum Checkpoint {
    /// `torch.save` zip archives start with a local file header.
    static let zipMagic: [UInt8] = [0x50, 0x4B, 0x03, 0x04]
    /// Legacy `torch.save` streams start with the pickled magic number 0x1950a86a20f9469cfc6c
    /// (PROTO 2, LONG1 of 10 bytes, STOP); see torch/serialization.py `MAGIC_NUMBER`.
    static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    /// The format of a file from its first bytes; `nil` when it is none of the known formats.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> CheckpointFormat? {
        if bytes.starts(with: zipMagic) { return .pytorchZip }
        if bytes.starts(with: legacyMagic) { return .pytorchLegacy }
        // safetensors: an 8-byte little-endian length, then a JSON object.
        if bytes.count >= 9, bytes[8] == UInt8(ascii: "{") { return .safetensors }
        return nil
    }

    /// Opens one checkpoint file (safetensors, PyTorch zip or legacy torch.save), detected from its
    /// first bytes. A `*.index.json` shard index opens the whole shard set.
    public static func open(path: String) throws -> any TensorSource {
        if path.hasSuffix(".index.json") { return try ShardedCheckpoint(indexPath: path) }
        let file = try MappedFile(path: path)
        switch sniff(file.bytes) {
        case .safetensors: return try SafetensorsFile(mapped: file)
        case .pytorchZip: return try openTorchZip(file)
        case .pytorchLegacy: return try openTorchLegacy(file)
        default:
            if file.count < 9 {
                throw CheckpointError(.truncated, file: path, "\(file.count) bytes: too short to be a checkpoint")
            }
            if TorchFormatSniffer.isLegacyTar(file.bytes) {
                return try openTorchLegacy(file)   // throws a clear `.unsupported` for pre-0.4 tar files
            }
            if file.bytes.starts(with: [0x80]) {
                throw CheckpointError(.unsupported, file: path, "a bare pickle, not a torch.save checkpoint (zip or legacy format)")
            }
            throw CheckpointError(.malformed, file: path, offset: 0, "not a safetensors, PyTorch zip or legacy torch.save file")
        }
    }
}
