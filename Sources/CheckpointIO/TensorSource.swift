/// The on-disk layout a ``TensorSource`` was read from.
public enum CheckpointFormat: String, Sendable, Codable {
    case safetensors
    /// `torch.save` since PyTorch 1.6: a zip of `data.pkl` and `data/<key>` storages.
    case pytorchZip = "pytorch-zip"
    /// `torch.save(..., _use_new_zipfile_serialization=False)`: concatenated pickles and raw storages.
    case pytorchLegacy = "pytorch-legacy"
    case shardedSafetensors = "sharded-safetensors"
    case shardedPytorch = "sharded-pytorch"
}

/// Anything that hands out named tensors: one checkpoint file, a set of shards.
public protocol TensorSource: AnyObject, Sendable {
    var format: CheckpointFormat { get }
    /// Every tensor, in the order the file stores them.
    var tensorInfos: [TensorInfo] { get }
    /// Free-form string metadata (safetensors `__metadata__`); empty for torch files.
    var metadata: [String: String] { get }
    /// The tensor's bytes; a zero-copy view into the mapped file where the format allows.
    /// Throws ``CheckpointError`` (`.notFound` for an unknown name).
    func tensor(named name: String) throws -> TensorData
}

extension TensorSource {
    /// The declared info for `name`, if present.
    public func info(named name: String) -> TensorInfo? {
        tensorInfos.first { $0.name == name }
    }

    /// Tensor names in storage order.
    public var tensorNames: [String] { tensorInfos.map(\.name) }

    /// Total bytes of all tensors.
    public var totalByteCount: Int { tensorInfos.reduce(0) { $0 + $1.byteCount } }
}
