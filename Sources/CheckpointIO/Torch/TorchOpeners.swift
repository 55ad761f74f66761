// Entry points `Checkpoint.open` calls for the two PyTorch formats. The readers themselves live in
// this folder (TorchZipFile, TorchLegacyFile).
extension Checkpoint {
    static func openTorchZip(_ file: MappedFile) throws -> any TensorSource {
        throw CheckpointError(.unsupported, file: file.path, "PyTorch zip checkpoints are not readable yet")
    }

    static func openTorchLegacy(_ file: MappedFile) throws -> any TensorSource {
        throw CheckpointError(.unsupported, file: file.path, "legacy torch.save checkpoints are not readable yet")
    }
}
