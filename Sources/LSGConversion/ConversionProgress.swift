/// What a running conversion reports, for a progress display.
public enum ConversionProgress: Sendable {
    /// The global table is being computed.
    case computingGlobals
    /// Writing model.safetensors: `total` tensors, `totalBytes` bytes.
    case writingWeights(total: Int, totalBytes: Int)
    /// `done` tensors and `bytes` bytes written so far (the last one: `name`).
    case wroteTensor(done: Int, bytes: Int)
    /// A side file (config.json, tokenizer files...) was written.
    case wroteFile(String)
    /// Source weight files are being hashed for the provenance record.
    case hashingSource
    /// Finished: the folder is in place.
    case finished(seconds: Double)
}

/// Set from a signal handler (SIGINT/SIGTERM); checked between tensors so an interrupted conversion
/// stops at the next tensor and removes its temporary folder.
public enum ConversionInterrupt {
    nonisolated(unsafe) public static var requested: Bool = false
}
