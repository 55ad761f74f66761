import CheckpointIO

/// The original's tensors as a dtype cast leaves them: every floating tensor rounded to `dtype`
/// (round to nearest even, as torch's `.to(torch.bfloat16)`), other tensors unchanged. The output
/// checks compare a bf16/f16 conversion with this view of the original, so that the 1e-4
/// equivalence tolerance measures the conversion and the runtime, not the cast.
public final class RoundedTensorSource: TensorSource, @unchecked Sendable {
    public let base: any TensorSource
    public let dtype: DType

    public init(_ base: any TensorSource, roundedTo dtype: DType) {
        self.base = base
        self.dtype = dtype
    }

    public var format: CheckpointFormat { base.format }
    public var metadata: [String: String] { base.metadata }

    public var tensorInfos: [TensorInfo] {
        base.tensorInfos.map { info in
            guard info.dtype.isFloatingPoint else { return info }
            return TensorInfo(name: info.name, dtype: dtype, shape: info.shape)
        }
    }

    public func tensor(named name: String) throws -> TensorData {
        let data = try base.tensor(named: name)
        guard data.info.dtype.isFloatingPoint, data.info.dtype != dtype else { return data }
        let info = TensorInfo(name: name, dtype: dtype, shape: data.info.shape)
        let values = data.floats()
        let buffer: OwnedBytes
        switch dtype {
        case .bf16: buffer = OwnedBytes(copying: values.map(HalfPrecision.bfloat16(from:)))
        case .f16: buffer = OwnedBytes(copying: values.map(HalfPrecision.float16(from:)))
        case .f64: buffer = OwnedBytes(copying: values.map(Double.init))
        default: buffer = OwnedBytes(copying: values)
        }
        return TensorData(info: info, bytes: buffer.bytes, owner: buffer)
    }
}
