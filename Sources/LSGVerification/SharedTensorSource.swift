import CheckpointIO

/// The original's tensors, with every tensor that check 2 found bit-identical to a converted one
/// served from the converted file instead (issue 14: "the original and converted models sharing
/// what they share"). The output checks then keep one copy of the shared weights resident (~500 MB
/// for roberta-base) instead of two. The values are the same bits either way; only the original's
/// own tensors (the 514-row position table, tensors the conversion changed) come from its file.
public final class SharedTensorSource: TensorSource, @unchecked Sendable {
    public let base: any TensorSource
    public let converted: any TensorSource
    /// Original name -> converted name (``VerificationSubject/identicalCopies``).
    public let shared: [String: String]
    public let tensorInfos: [TensorInfo]

    public init(_ base: any TensorSource, converted: any TensorSource, shared: [String: String]) {
        self.base = base
        self.converted = converted
        var names: [String: String] = [:]
        var infos: [TensorInfo] = []
        let convertedInfos = Dictionary(converted.tensorInfos.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for info in base.tensorInfos {
            if let name = shared[info.name], let other = convertedInfos[name], other.shape == info.shape {
                names[info.name] = name
                infos.append(TensorInfo(name: info.name, dtype: other.dtype, shape: info.shape))
            } else {
                infos.append(info)
            }
        }
        self.shared = names
        self.tensorInfos = infos
    }

    public var format: CheckpointFormat { base.format }
    public var metadata: [String: String] { base.metadata }

    public func tensor(named name: String) throws -> TensorData {
        guard let convertedName = shared[name] else { return try base.tensor(named: name) }
        let data = try converted.tensor(named: convertedName)
        return TensorData(info: TensorInfo(name: name, dtype: data.info.dtype, shape: data.info.shape),
                          bytes: data.bytes, owner: data.owner)
    }
}
