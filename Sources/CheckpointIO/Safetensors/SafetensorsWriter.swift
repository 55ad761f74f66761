/// Writes safetensors files by streaming: the header is computed from the declared shapes, then each
/// tensor's bytes are produced by its entry's closure, in file order, so a model is never assembled in
/// memory. Output goes through ``AtomicOutputFile`` (temporary name, renamed on success).
///
/// Layout follows the reference crate's `prepare`: tensors sorted by dtype alignment (descending)
/// then name; `__metadata__` first in the header; header padded with spaces to a multiple of 8 so every
/// tensor is 8-byte aligned in a memory map.
public struct SafetensorsWriter {
    /// One tensor to write: its info and a closure that must write exactly `info.byteCount` bytes.
    public struct Entry {
        public var info: TensorInfo
        public var write: (TensorSink) throws -> Void

        public init(info: TensorInfo, write: @escaping (TensorSink) throws -> Void) {
            self.info = info
            self.write = write
        }

        /// An entry that copies an existing tensor's bytes (a view into a mapped file).
        public init(name: String? = nil, data: TensorData) {
            var info = data.info
            if let name { info.name = name }
            self.init(info: info) { sink in try sink.write(data.bytes) }
        }

        /// An entry holding F32 values.
        public init(name: String, shape: [Int], floats: [Float]) {
            self.init(info: TensorInfo(name: name, dtype: .f32, shape: shape)) { sink in try sink.write(contentsOf: floats) }
        }
    }

    /// Where an entry's closure writes; counts bytes so a wrong size is an error, not a corrupt file.
    public final class TensorSink {
        let output: AtomicOutputFile
        var written = 0

        init(output: AtomicOutputFile) { self.output = output }

        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            try output.write(bytes)
            written += bytes.count
        }

        public func write<T: BitwiseCopyable>(contentsOf values: [T]) throws {
            try values.withUnsafeBytes { try write($0) }
        }

        /// Appends `range`, a view into `file`'s mapping, copied inside the kernel where it can be
        /// (``AtomicOutputFile/copy(_:from:)``).
        public func copy(_ range: UnsafeRawBufferPointer, from file: MappedFile) throws {
            try output.copy(range, from: file)
            written += range.count
        }
    }

    /// The order in which `entries` are stored: the crate's `prepare` sorts by its `Dtype` enum
    /// (declared BOOL, U8, I8, F8_*, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64) descending, so
    /// wider types come first and stay aligned, then by name.
    public static func storageOrder(_ infos: [TensorInfo]) -> [TensorInfo] {
        infos.sorted { a, b in
            let (ra, rb) = (dtypeRank(a.dtype), dtypeRank(b.dtype))
            return ra != rb ? ra > rb : a.name < b.name
        }
    }

    /// Position of `dtype` in the safetensors crate's `Dtype` declaration order.
    static func dtypeRank(_ dtype: DType) -> Int {
        switch dtype {
        case .bool: 0
        case .u8: 1
        case .i8: 2
        case .i16: 5
        case .f16: 7
        case .bf16: 8
        case .i32: 9
        case .f32: 11
        case .f64: 12
        case .i64: 13
        }
    }

    /// The header bytes (length prefix excluded) for `entries` in storage order, padded to 8 bytes.
    public static func header(for infos: [TensorInfo], metadata: [String: String]) -> String {
        var pairs: [(String, JSONValue)] = []
        if !metadata.isEmpty {
            pairs.append(("__metadata__", .object(metadata.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
        }
        var offset = 0
        for info in infos {
            let end = offset + info.byteCount
            pairs.append((info.name, .object([
                ("dtype", .string(info.dtype.safetensorsName)),
                ("shape", .array(info.shape.map { .int(Int64($0)) })),
                ("data_offsets", .array([.int(Int64(offset)), .int(Int64(end))])),
            ])))
            offset = end
        }
        // Compact separators like the Rust crate (serde_json): no spaces.
        let text = compact(JSONValue.object(pairs))
        let padding = (8 - text.utf8.count % 8) % 8
        return text + String(repeating: " ", count: padding)
    }

    private static func compact(_ value: JSONValue) -> String {
        switch value {
        case let .array(items): return "[" + items.map(compact).joined(separator: ",") + "]"
        case let .object(pairs):
            return "{" + pairs.map { key, item in
                var k = ""
                JSONValue.writeString(key, into: &k, asciiOnly: false)
                return k + ":" + compact(item)
            }.joined(separator: ",") + "}"
        default: return value.serialized(indent: nil, asciiOnly: false)
        }
    }

    /// Writes `entries` to `path` atomically. Duplicate names are an error.
    /// - Parameters:
    ///   - metadata: the `__metadata__` map; Hugging Face expects `{"format": "pt"}`.
    ///   - overwrite: replace an existing file (otherwise an existing `path` is an error).
    ///   - progress: called after each tensor with (tensors done, bytes written).
    public static func write(
        _ entries: [Entry], to path: String, metadata: [String: String] = ["format": "pt"],
        overwrite: Bool = false, durable: Bool = false,
        progress: ((Int, Int) -> Void)? = nil
    ) throws {
        var seen = Set<String>()
        for entry in entries where !seen.insert(entry.info.name).inserted {
            throw CheckpointError(.inconsistent, file: path, tensor: entry.info.name, "written twice")
        }
        let byName = Dictionary(uniqueKeysWithValues: entries.map { ($0.info.name, $0) })
        let ordered = storageOrder(entries.map(\.info))
        let headerText = header(for: ordered, metadata: metadata)
        let output = try AtomicOutputFile(path: path, overwrite: overwrite)
        try output.reserve(byteCount: 8 + headerText.utf8.count + ordered.reduce(0) { $0 + $1.byteCount })
        try output.write(contentsOf: [UInt64(headerText.utf8.count).littleEndian])
        try output.write(headerText)
        let sink = TensorSink(output: output)
        for (i, info) in ordered.enumerated() {
            sink.written = 0
            try byName[info.name]!.write(sink)
            guard sink.written == info.byteCount else {
                throw CheckpointError(.writeFailed, file: path, tensor: info.name,
                                      "produced \(sink.written) bytes, expected \(info.byteCount)")
            }
            progress?(i + 1, output.bytesWritten)
        }
        try output.commit(durable: durable)
    }
}
