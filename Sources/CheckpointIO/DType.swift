/// Element types a checkpoint can hold, spelled as safetensors spells them (`F32`, `BF16`, `I64`...).
///
/// Values are kept as stored; ``TensorData/floats()`` converts to `Float` for the runtime.
public enum DType: String, Sendable, CaseIterable, Codable {
    case f64 = "F64", f32 = "F32", f16 = "F16", bf16 = "BF16"
    case i64 = "I64", i32 = "I32", i16 = "I16", i8 = "I8", u8 = "U8", bool = "BOOL"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .f64, .i64: 8
        case .f32, .i32: 4
        case .f16, .bf16, .i16: 2
        case .i8, .u8, .bool: 1
        }
    }

    /// True for the floating-point types (the ones a conversion may cast between).
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }

    /// The safetensors header spelling, e.g. `"BF16"`.
    public var safetensorsName: String { rawValue }

    /// Parses a safetensors dtype string; `nil` for types this project does not handle
    /// (F8_*, U16/U32/U64, complex...).
    public init?(safetensorsName: String) { self.init(rawValue: safetensorsName) }

    /// The PyTorch storage class that holds this dtype (`torch/storage.py::_dtype_to_storage_type_map`).
    public var torchStorageClass: String {
        switch self {
        case .f64: "DoubleStorage"
        case .f32: "FloatStorage"
        case .f16: "HalfStorage"
        case .bf16: "BFloat16Storage"
        case .i64: "LongStorage"
        case .i32: "IntStorage"
        case .i16: "ShortStorage"
        case .i8: "CharStorage"
        case .u8: "ByteStorage"
        case .bool: "BoolStorage"
        }
    }

    /// Maps a PyTorch storage class name (`FloatStorage`, `BFloat16Storage`...) to a dtype.
    public init?(torchStorageClass name: String) {
        guard let match = DType.allCases.first(where: { $0.torchStorageClass == name }) else { return nil }
        self = match
    }

    /// The `torch_dtype` spelling used in Hugging Face config.json files (`float32`, `bfloat16`...).
    public var torchDTypeName: String {
        switch self {
        case .f64: "float64"
        case .f32: "float32"
        case .f16: "float16"
        case .bf16: "bfloat16"
        case .i64: "int64"
        case .i32: "int32"
        case .i16: "int16"
        case .i8: "int8"
        case .u8: "uint8"
        case .bool: "bool"
        }
    }
}
