/// A legacy `torch.save` stream (PyTorch < 1.6, or `_use_new_zipfile_serialization=False`; many
/// 2019-2020 Hugging Face `pytorch_model.bin` files), memory-mapped.
///
/// The file is a concatenation (design.md §B6.2, torch/serialization.py `_legacy_save`):
/// 1. the magic-number pickle, 2. the protocol version pickle (1001), 3. the `sys_info` dict pickle,
/// 4. the object pickle (the state dict; storage persistent ids are 6-tuples), 5. a pickled list
/// of storage keys, 6. for each key in that order: an int64 little-endian element count, then the
/// storage's raw little-endian bytes. Nothing is aligned, so tensors are unaligned zero-copy views
/// (``TensorData`` reads with unaligned loads and copies in `withFloats` when needed).
public final class TorchLegacyFile: TensorSource {
    /// The protocol version `_legacy_save` writes after the magic number.
    public static let protocolVersion = 1001

    public let file: MappedFile
    /// Every tensor with its storage and offset, in pickle order.
    public let tensorReferences: [TorchTensorReference]
    /// The storages the tensors use, by key.
    public let storages: [String: TorchStateDict.StorageDeclaration]
    /// Wrapper keys followed to reach the tensors (`["state_dict"]` for `{"state_dict": sd}`).
    public let wrapperPath: [String]
    public let tensorInfos: [TensorInfo]

    public var format: CheckpointFormat { .pytorchLegacy }
    public var metadata: [String: String] { [:] }

    /// Byte range of each storage's elements in the file.
    private let storageRanges: [String: Range<Int>]
    private let referenceIndex: [String: Int]

    /// Maps and validates `path`: the header pickles, the object pickle (allow-listed GLOBALs
    /// only), tensor layouts, and every storage's element count and bytes against the file.
    public convenience init(path: String) throws {
        try self.init(mapped: try MappedFile(path: path))
    }

    public init(mapped: MappedFile) throws {
        file = mapped
        let path = mapped.path
        let bytes = mapped.bytes
        if TorchFormatSniffer.isLegacyTar(bytes) {
            throw CheckpointError(.unsupported, file: path, "tar-based torch.save file (PyTorch < 0.4) is not supported; re-save it with a recent torch")
        }

        guard TorchFormatSniffer.isLegacy(bytes) else {
            let what = TorchFormatSniffer.isZip(bytes) ? "a torch zip archive" : "not a torch file"
            throw CheckpointError(.malformed, file: path, offset: 0, "legacy torch: the file does not start with the torch magic number (\(what))")
        }

        // 1-3: magic number, protocol version, sys_info: plain data, no GLOBALs allowed.
        let magic = try Unpickler.load(bytes, file: path, globals: .plainDataOnly)
        guard magic.value == .bigInt(Array(TorchFormatSniffer.legacyMagic[4..<14])) else {
            throw CheckpointError(.malformed, file: path, offset: 0, "legacy torch: the first pickle is \(magic.value.kindDescription), not the torch magic number")
        }
        let version = try Unpickler.load(bytes, at: magic.end, file: path, globals: .plainDataOnly)
        guard version.value == .int(Self.protocolVersion) else {
            throw CheckpointError(.unsupported, file: path, offset: magic.end, "legacy torch: protocol version \(version.value.kindDescription) (only \(Self.protocolVersion) is supported)")
        }
        let sysInfo = try Unpickler.load(bytes, at: version.end, file: path, globals: .plainDataOnly)
        guard sysInfo.value.value(forKey: "little_endian") == .bool(true) else {
            throw CheckpointError(.unsupported, file: path, offset: version.end, "legacy torch: sys_info does not declare little_endian=True (big-endian files are not supported)")
        }

        // 4: the object.
        let object = try Unpickler.load(bytes, at: sysInfo.end, file: path, globals: TorchPickleGlobals.policy)
        let stateDict = try TorchStateDict(pickle: object.value, file: path, layout: .legacy)
        // Element sizes of every storage in the stream, including those of objects the state dict
        // does not use (an optimizer next to `state_dict`): all of them must be skipped over.
        var declared: [String: TorchStateDict.StorageDeclaration] = [:]
        for id in object.persistentIDs {
            guard case .tuple(let items) = id, items.first?.stringValue == "storage" else { continue }
            let declaration = try TorchStateDict.storageDeclaration(id, layout: .legacy, file: path)
            if let existing = declared[declaration.key], existing.dtype != declaration.dtype || existing.elementCount != declaration.elementCount {
                throw CheckpointError(.inconsistent, file: path, "legacy torch: storage `\(declaration.key)` is declared twice with different types or sizes")
            }
            declared[declaration.key] = declaration
        }

        // 5: storage keys, in data order.
        let keyList = try Unpickler.load(bytes, at: object.end, file: path, globals: .plainDataOnly)
        guard case .list(let keyValues) = keyList.value else {
            throw CheckpointError(.malformed, file: path, offset: object.end, "legacy torch: storage key list is a \(keyList.value.kindDescription), not a list")
        }

        // 6: count + raw bytes per storage.
        var ranges: [String: Range<Int>] = [:]
        var offset = keyList.end
        for keyValue in keyValues {
            guard let key = keyValue.stringValue else {
                throw CheckpointError(.malformed, file: path, offset: object.end, "legacy torch: storage key \(keyValue.kindDescription) is not a string")
            }
            guard let declaration = declared[key] else {
                throw CheckpointError(.malformed, file: path, offset: offset, "legacy torch: storage `\(key)` of the key list is not declared by the object pickle")
            }
            guard ranges[key] == nil else {
                throw CheckpointError(.malformed, file: path, offset: offset, "legacy torch: storage `\(key)` is listed twice")
            }
            guard bytes.contains(offset: offset, length: 8) else {
                throw CheckpointError(.truncated, file: path, offset: offset, "legacy torch: file ends before the element count of storage `\(key)`")
            }
            let count = bytes.littleEndian(at: offset, as: Int64.self)
            guard count == Int64(declaration.elementCount) else {
                throw CheckpointError(.inconsistent, file: path, offset: offset, "legacy torch: storage `\(key)` holds \(count) elements but is declared with \(declaration.elementCount)")
            }
            let length = declaration.elementCount * declaration.dtype.byteSize
            guard bytes.contains(offset: offset + 8, length: length) else {
                throw CheckpointError(.truncated, file: path, offset: offset + 8, "legacy torch: storage `\(key)` needs \(length) bytes but the file has \(bytes.count - offset - 8) left")
            }
            ranges[key] = (offset + 8)..<(offset + 8 + length)
            offset += 8 + length
        }
        for key in stateDict.storages.keys where ranges[key] == nil {
            throw CheckpointError(.malformed, file: path, "legacy torch: storage `\(key)` used by a tensor is missing from the key list")
        }

        storageRanges = ranges
        storages = stateDict.storages
        wrapperPath = stateDict.wrapperPath
        tensorReferences = stateDict.tensors
        tensorInfos = stateDict.tensors.map(\.info)
        referenceIndex = Dictionary(stateDict.tensors.enumerated().map { ($1.info.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The tensor's bytes: an (unaligned) view into the mapping.
    public func tensor(named name: String) throws -> TensorData {
        guard let index = referenceIndex[name] else {
            throw CheckpointError(.notFound, file: file.path, tensor: name, "no such tensor")
        }
        let reference = tensorReferences[index]
        guard let range = storageRanges[reference.storageKey] else {
            throw CheckpointError(.notFound, file: file.path, tensor: name, "storage `\(reference.storageKey)` is missing")
        }
        let storage = try file.slice(offset: range.lowerBound, length: range.count, tensor: name)
        return TensorData(info: reference.info, bytes: try reference.bytes(in: storage, file: file.path), owner: file)
    }
}
