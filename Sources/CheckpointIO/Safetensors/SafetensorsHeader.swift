/// The parsed and validated JSON header of a safetensors file.
///
/// Validation follows the reference crate (`safetensors/src/tensor.rs`, `read_metadata` and
/// `Metadata::validate`): the 8-byte length must fit in the file and stay under
/// ``maximumHeaderLength``; the header must be a UTF-8 JSON object; dtypes must be known; every
/// shape's byte size must equal its offsets' span; sorted by offset, the tensors must be contiguous,
/// start at 0 and cover the whole data buffer (no holes, no overlaps: this prevents polyglot files).
public struct SafetensorsHeader: Sendable {
    /// One tensor's entry: info plus its byte range relative to the start of the data buffer.
    public struct Entry: Sendable {
        public var info: TensorInfo
        public var begin: Int
        public var end: Int
    }

    /// Same bound as the reference crate (`MAX_HEADER_SIZE`).
    public static let maximumHeaderLength = 100_000_000

    /// Tensors sorted by their offset in the data buffer.
    public var entries: [Entry]
    /// `__metadata__` (string to string only, as the format requires).
    public var metadata: [String: String]
    /// Byte offset of the data buffer in the file (8 + header length).
    public var dataStart: Int

    /// Parses and validates the header of `bytes`, a whole safetensors file named `file` in errors.
    public init(fileBytes bytes: UnsafeRawBufferPointer, file: String) throws {
        guard bytes.count >= 8 else {
            throw CheckpointError(.truncated, file: file, offset: 0, "safetensors: file has \(bytes.count) bytes, fewer than the 8-byte header length")
        }
        let declared = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian
        guard declared <= UInt64(Self.maximumHeaderLength) else {
            throw CheckpointError(.malformed, file: file, offset: 0, "safetensors: header length \(declared) exceeds the limit of \(Self.maximumHeaderLength) bytes")
        }
        let headerLength = Int(declared)
        guard headerLength <= bytes.count - 8 else {
            throw CheckpointError(.truncated, file: file, offset: 8, "safetensors: header declares \(headerLength) bytes but only \(bytes.count - 8) follow")
        }
        guard headerLength >= 2 else {
            throw CheckpointError(.malformed, file: file, offset: 8, "safetensors: header of \(headerLength) bytes cannot hold a JSON object")
        }
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
        guard headerBytes[0] == UInt8(ascii: "{") else {
            throw CheckpointError(.malformed, file: file, offset: 8, "safetensors: header does not start with '{'")
        }
        // Python's writer pads the header with trailing spaces to an 8-byte multiple; the parser
        // accepts trailing whitespace. Duplicate keys are rejected by the parser.
        let json: JSONValue
        do {
            json = try JSONParser.parse(headerBytes)
        } catch {
            throw CheckpointError(.malformed, file: file, offset: 8 + error.offset, "safetensors: header is not valid JSON: \(error.message)")
        }
        guard let object = json.objectValue else {
            throw CheckpointError(.malformed, file: file, offset: 8, "safetensors: header is not a JSON object")
        }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        entries.reserveCapacity(object.count)
        for (name, value) in object {
            if name == "__metadata__" {
                guard let dict = value.objectValue else {
                    throw CheckpointError(.malformed, file: file, "safetensors: __metadata__ is not an object")
                }
                for (key, item) in dict {
                    guard let string = item.stringValue else {
                        throw CheckpointError(.malformed, file: file, "safetensors: __metadata__ value for `\(key)` is not a string")
                    }
                    metadata[key] = string
                }
                continue
            }
            entries.append(try Self.parseEntry(name: name, value: value, file: file))
        }

        let dataStart = 8 + headerLength
        let dataLength = bytes.count - dataStart
        entries.sort { ($0.begin, $0.end, $0.info.name) < ($1.begin, $1.end, $1.info.name) }
        var expectedBegin = 0
        for entry in entries {
            guard entry.begin == expectedBegin, entry.end >= entry.begin else {
                let why = entry.begin < expectedBegin ? "overlaps the previous tensor" : "leaves a hole before it"
                throw CheckpointError(.malformed, file: file, tensor: entry.info.name,
                                      "safetensors: invalid offsets [\(entry.begin), \(entry.end)]: \(why) (expected begin \(expectedBegin))")
            }
            guard entry.end - entry.begin == entry.info.byteCount else {
                throw CheckpointError(.malformed, file: file, tensor: entry.info.name,
                                      "safetensors: offsets span \(entry.end - entry.begin) bytes but \(entry.info.dtype.rawValue) \(entry.info.shape) needs \(entry.info.byteCount)")
            }
            expectedBegin = entry.end
        }
        guard expectedBegin == dataLength else {
            if expectedBegin > dataLength {
                throw CheckpointError(.truncated, file: file, offset: dataStart + dataLength,
                                      "safetensors: tensors need \(expectedBegin) data bytes but the file holds \(dataLength)")
            }
            throw CheckpointError(.malformed, file: file, offset: dataStart + expectedBegin,
                                  "safetensors: \(dataLength - expectedBegin) trailing bytes not covered by any tensor")
        }
        self.entries = entries
        self.metadata = metadata
        self.dataStart = dataStart
    }

    private static func parseEntry(name: String, value: JSONValue, file: String) throws -> Entry {
        func fail(_ message: String) -> CheckpointError {
            CheckpointError(.malformed, file: file, tensor: name, "safetensors: \(message)")
        }
        guard value.objectValue != nil else { throw fail("entry is not an object") }
        guard let dtypeName = value["dtype"]?.stringValue else { throw fail("missing dtype") }
        guard let dtype = DType(safetensorsName: dtypeName) else {
            throw CheckpointError(.unsupported, file: file, tensor: name, "safetensors: unsupported dtype \(dtypeName)")
        }
        guard let shapeValues = value["shape"]?.arrayValue else { throw fail("missing shape") }
        var shape: [Int] = []
        for dim in shapeValues {
            guard case let .int(d) = dim, d >= 0, let dimension = Int(exactly: d) else {
                throw fail("shape has an invalid dimension \(dim.serialized(indent: nil))")
            }
            shape.append(dimension)
        }
        guard let count = TensorInfo.checkedElementCount(shape),
              count.multipliedReportingOverflow(by: dtype.byteSize).overflow == false
        else { throw fail("shape \(shape) overflows") }
        guard let offsets = value["data_offsets"]?.arrayValue, offsets.count == 2,
              case let .int(begin64) = offsets[0], case let .int(end64) = offsets[1],
              begin64 >= 0, end64 >= 0, let begin = Int(exactly: begin64), let end = Int(exactly: end64)
        else { throw fail("data_offsets must be two non-negative integers") }
        return Entry(info: TensorInfo(name: name, dtype: dtype, shape: shape), begin: begin, end: end)
    }
}
