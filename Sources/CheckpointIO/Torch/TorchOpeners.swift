// Entry points `Checkpoint.open` calls for the two PyTorch formats. The readers themselves live in
// this folder (TorchZipFile, TorchLegacyFile).
extension Checkpoint {
    static func openTorchZip(_ file: MappedFile) throws -> any TensorSource {
        try TorchZipFile(mapped: file)
    }

    static func openTorchLegacy(_ file: MappedFile) throws -> any TensorSource {
        try TorchLegacyFile(mapped: file)
    }
}
