import Foundation

/// A `torch.save` zip archive (PyTorch >= 1.6), memory-mapped.
///
/// Layout (design.md §B6.1): `<folder>/data.pkl` (the pickled state dict), `<folder>/data/<key>`
/// (one record of raw little-endian elements per storage), `<folder>/byteorder`, `<folder>/version`.
/// The folder is the archive name (`archive`, `pytorch_model`, the file's stem...), so it is found
/// rather than assumed: the single entry named `*/data.pkl`. torch stores every entry uncompressed
/// and 64-byte aligned, so tensors are zero-copy views into the mapping; deflated entries (archives
/// re-zipped by other tools) are inflated on first use and cached per storage.
public final class TorchZipFile: TensorSource, @unchecked Sendable {
    public let file: MappedFile
    /// The archive folder holding `data.pkl` (e.g. `archive`).
    public let archiveFolder: String
    /// Every tensor with its storage and offset, in pickle order.
    public let tensorReferences: [TorchTensorReference]
    /// The storages the tensors use, by key.
    public let storages: [String: TorchStateDict.StorageDeclaration]
    /// Wrapper keys followed to reach the tensors (`["state_dict"]` for `{"state_dict": sd}`).
    public let wrapperPath: [String]
    public let tensorInfos: [TensorInfo]

    public var format: CheckpointFormat { .pytorchZip }
    public var metadata: [String: String] { [:] }

    private let archive: ZipArchive
    private let storageEntries: [String: ZipArchive.Entry]
    private let referenceIndex: [String: Int]
    /// Inflated storages of deflated archives, by key (guarded by `lock`).
    private var inflatedStorages: [String: OwnedBytes] = [:]
    private let lock = NSLock()

    /// Maps and validates `path`: zip directory, `data.pkl` (allow-listed GLOBALs only), tensor
    /// layouts, and that every storage record exists with the size its declaration implies.
    public convenience init(path: String) throws {
        try self.init(mapped: try MappedFile(path: path))
    }

    public init(mapped: MappedFile) throws {
        file = mapped
        let path = mapped.path
        guard TorchFormatSniffer.isZip(mapped.bytes) else {
            let what = TorchFormatSniffer.isLegacy(mapped.bytes) ? "a legacy torch.save stream" : "not a zip archive"
            throw CheckpointError(.malformed, file: path, offset: 0, "torch zip: the file does not start with a zip local header (\(what))")
        }
        archive = try ZipArchive(bytes: mapped.bytes, file: path)

        let pickles = archive.entries.filter { $0.name == "data.pkl" || $0.name.hasSuffix("/data.pkl") }
        guard pickles.count == 1, let pickleEntry = pickles.first else {
            throw CheckpointError(.malformed, file: path, pickles.isEmpty
                ? "torch zip: no `data.pkl` entry (not a torch.save archive)"
                : "torch zip: \(pickles.count) `data.pkl` entries (\(pickles.map(\.name).joined(separator: ", ")))")
        }
        let folder = String(pickleEntry.name.dropLast("data.pkl".count))
        archiveFolder = folder.hasSuffix("/") ? String(folder.dropLast()) : folder

        // Storage bytes are little-endian unless `byteorder` says otherwise (absent in files written
        // before torch 1.10: little).
        if let byteorder = archive.entry(named: folder + "byteorder") {
            let (content, owner) = try archive.contents(of: byteorder)
            let text = withExtendedLifetime(owner) { String(decoding: content, as: UTF8.self) }
            guard text.trimmingCharacters(in: .whitespacesAndNewlines) == "little" else {
                throw CheckpointError(.unsupported, file: path, "torch zip: byte order `\(text.prefix(16))` (only little-endian archives are supported)")
            }
        }

        let (pickleBytes, pickleOwner) = try archive.contents(of: pickleEntry)
        // Error offsets point into the file for a stored data.pkl; for an inflated one they count
        // from the start of the inflated pickle.
        let pickleFile = pickleOwner == nil ? path : "\(path) (inflated \(pickleEntry.name))"
        let baseOffset = pickleOwner == nil ? mapped.bytes.baseAddress.flatMap { base in pickleBytes.baseAddress.map { base.distance(to: $0) } } ?? 0 : 0
        let root = try withExtendedLifetime(pickleOwner) {
            try Unpickler.load(pickleBytes, file: pickleFile, baseOffset: baseOffset, globals: TorchPickleGlobals.policy).value
        }
        let stateDict = try TorchStateDict(pickle: root, file: path, layout: .zip)

        var storageEntries: [String: ZipArchive.Entry] = [:]
        for (key, declaration) in stateDict.storages {
            let name = folder + "data/" + key
            guard let entry = archive.entry(named: name) else {
                throw CheckpointError(.malformed, file: path, "torch zip: storage `\(key)` has no entry `\(name)`")
            }
            let expected = declaration.elementCount * declaration.dtype.byteSize
            guard entry.uncompressedSize == expected else {
                throw CheckpointError(.inconsistent, file: path, offset: entry.localHeaderOffset,
                                      "torch zip: storage `\(key)` holds \(entry.uncompressedSize) bytes but is declared as \(declaration.elementCount) \(declaration.dtype.torchStorageClass) elements (\(expected) bytes)")
            }
            // Validates the local header and that the data lies inside the file.
            _ = try archive.rawData(of: entry)
            if entry.method != ZipArchive.stored && entry.method != ZipArchive.deflated {
                throw CheckpointError(.unsupported, file: path, offset: entry.localHeaderOffset,
                                      "torch zip: entry `\(name)` uses compression method \(entry.method) (only stored and deflated are supported)")
            }
            storageEntries[key] = entry
        }
        self.storageEntries = storageEntries
        storages = stateDict.storages
        wrapperPath = stateDict.wrapperPath
        tensorReferences = stateDict.tensors
        tensorInfos = stateDict.tensors.map(\.info)
        referenceIndex = Dictionary(stateDict.tensors.enumerated().map { ($1.info.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The tensor's bytes: a view into the mapping for stored archives (64-byte aligned by torch),
    /// into the inflated storage for deflated ones.
    public func tensor(named name: String) throws -> TensorData {
        guard let index = referenceIndex[name] else {
            throw CheckpointError(.notFound, file: file.path, tensor: name, "no such tensor")
        }
        let reference = tensorReferences[index]
        guard let entry = storageEntries[reference.storageKey] else {
            throw CheckpointError(.notFound, file: file.path, tensor: name, "storage `\(reference.storageKey)` is missing")
        }
        if entry.method == ZipArchive.stored {
            let storage = try archive.rawData(of: entry)
            return TensorData(info: reference.info, bytes: try reference.bytes(in: storage, file: file.path), owner: file)
        }
        let storage = try inflatedStorage(reference.storageKey, entry: entry)
        return TensorData(info: reference.info, bytes: try reference.bytes(in: storage.bytes, file: file.path), owner: storage)
    }

    private func inflatedStorage(_ key: String, entry: ZipArchive.Entry) throws -> OwnedBytes {
        lock.lock()
        defer { lock.unlock() }
        if let cached = inflatedStorages[key] { return cached }
        let (_, owner) = try archive.contents(of: entry)
        guard let owner else {
            throw CheckpointError(.malformed, file: file.path, "torch zip: storage `\(key)` was expected to be deflated")
        }
        inflatedStorages[key] = owner
        return owner
    }
}
