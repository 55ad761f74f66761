/// Where one tensor of a PyTorch checkpoint keeps its elements: a C-contiguous run of
/// `info.elementCount` elements starting `storageOffset` elements into storage `storageKey`.
///
/// Several tensors may share one storage: tied weights (`lm_head.decoder.weight` and
/// `roberta.embeddings.word_embeddings.weight` in a `RobertaForMaskedLM` state dict) and views such
/// as `t[1:]`, which torch saves as the whole storage plus an offset.
public struct TorchTensorReference: Sendable, Equatable {
    /// Name (the state-dict key), dtype (from the storage class) and shape.
    public var info: TensorInfo
    /// The storage's key: `data/<key>` in a zip archive, a position in the legacy stream.
    public var storageKey: String
    /// Offset of the tensor's first element in the storage, in elements (not bytes).
    public var storageOffset: Int

    public init(info: TensorInfo, storageKey: String, storageOffset: Int) {
        self.info = info
        self.storageKey = storageKey
        self.storageOffset = storageOffset
    }

    /// The tensor's bytes inside its storage's bytes (`storage.count` is checked, so a storage
    /// shorter than the pickle declared gives `.inconsistent` rather than an out-of-bounds view).
    func bytes(in storage: UnsafeRawBufferPointer, file: String) throws -> UnsafeRawBufferPointer {
        let start = storageOffset * info.dtype.byteSize
        guard storage.contains(offset: start, length: info.byteCount) else {
            throw CheckpointError(.inconsistent, file: file, tensor: info.name,
                                  "bytes [\(start), \(start + info.byteCount)) lie outside its storage `\(storageKey)` of \(storage.count) bytes")
        }
        return UnsafeRawBufferPointer(rebasing: storage[start..<(start + info.byteCount)])
    }
}
