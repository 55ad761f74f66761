import CZlib
import Foundation
@testable import CheckpointIO

/// Builds small zip archives byte by byte (APPNOTE.TXT layout) so that tests can corrupt single
/// fields: local headers, central directory, end record, zip64 records.
struct TorchZipTestBuilder {
    struct Entry {
        var name: String
        /// Bytes as stored in the archive (already compressed for method 8).
        var data: [UInt8]
        var method: UInt16 = 0
        /// Declared uncompressed size (defaults to `data.count`).
        var uncompressedSize: Int? = nil
        var flags: UInt16 = 0x0808
    }

    /// Where the builder put things, for tests that patch fields.
    struct Layout {
        var localHeaderOffsets: [Int] = []
        var centralRecordOffsets: [Int] = []
        var centralDirectoryOffset = 0
        var endRecordOffset = 0
    }

    var entries: [Entry] = []
    /// Write zip64 extra fields, a zip64 end record and locator, and saturate the 32-bit fields.
    var zip64 = false
    var comment: [UInt8] = []

    func build() -> (bytes: [UInt8], layout: Layout) {
        var out: [UInt8] = []
        var layout = Layout()
        func u16(_ v: Int) { out += withUnsafeBytes(of: UInt16(truncatingIfNeeded: v).littleEndian, Array.init) }
        func u32(_ v: Int) { out += withUnsafeBytes(of: UInt32(truncatingIfNeeded: v).littleEndian, Array.init) }
        func u64(_ v: Int) { out += withUnsafeBytes(of: UInt64(v).littleEndian, Array.init) }

        for entry in entries {
            layout.localHeaderOffsets.append(out.count)
            u32(0x0403_4B50); u16(20); u16(Int(entry.flags)); u16(Int(entry.method)); u16(0); u16(0)
            u32(0); u32(0); u32(0)                     // crc and sizes in the data descriptor, as torch does
            u16(entry.name.utf8.count); u16(0)
            out += Array(entry.name.utf8)
            out += entry.data
        }
        layout.centralDirectoryOffset = out.count
        for (entry, localOffset) in zip(entries, layout.localHeaderOffsets) {
            layout.centralRecordOffsets.append(out.count)
            let uncompressed = entry.uncompressedSize ?? entry.data.count
            u32(0x0201_4B50); u16(45); u16(45); u16(Int(entry.flags)); u16(Int(entry.method)); u16(0); u16(0); u32(0)
            if zip64 { u32(0xFFFF_FFFF); u32(0xFFFF_FFFF) } else { u32(entry.data.count); u32(uncompressed) }
            u16(entry.name.utf8.count); u16(zip64 ? 28 : 0); u16(0); u16(0); u16(0); u32(0)
            u32(zip64 ? 0xFFFF_FFFF : localOffset)
            out += Array(entry.name.utf8)
            if zip64 {
                u16(1); u16(24); u64(uncompressed); u64(entry.data.count); u64(localOffset)
            }
        }
        let directorySize = out.count - layout.centralDirectoryOffset
        if zip64 {
            let record = out.count
            u32(0x0606_4B50); u64(44); u16(45); u16(45); u32(0); u32(0)
            u64(entries.count); u64(entries.count); u64(directorySize); u64(layout.centralDirectoryOffset)
            u32(0x0706_4B50); u32(0); u64(record); u32(1)
        }
        layout.endRecordOffset = out.count
        u32(0x0605_4B50); u16(0); u16(0)
        u16(zip64 ? 0xFFFF : entries.count); u16(zip64 ? 0xFFFF : entries.count)
        u32(zip64 ? 0xFFFF_FFFF : directorySize); u32(zip64 ? 0xFFFF_FFFF : layout.centralDirectoryOffset)
        u16(comment.count)
        out += comment
        return (out, layout)
    }

    /// A one-tensor torch archive `arch/`: `w` = FloatStorage key "0" of `count` floats [1, 2, ...].
    static func oneTensor(count: Int = 4, storage: Entry? = nil) -> TorchZipTestBuilder {
        typealias P = PickleBytes
        let id = [0x28] + P.binUnicode("storage") + P.global("torch", "FloatStorage") + P.binUnicode("0")
            + P.binUnicode("cpu") + [0x4D] + P.le(UInt16(count)) + [0x74, 0x51]
        let pickle = P.pickle(P.global("collections", "OrderedDict") + [0x29, 0x52, 0x28] + P.binUnicode("w")
            + P.global("torch._utils", "_rebuild_tensor_v2") + [0x28] + id
            + [0x4B, 0x00, 0x4D] + P.le(UInt16(count)) + [0x85, 0x4B, 0x01, 0x85, 0x89, 0x7D, 0x74, 0x52, 0x75])
        var builder = TorchZipTestBuilder()
        builder.entries = [
            Entry(name: "arch/data.pkl", data: pickle),
            Entry(name: "arch/byteorder", data: Array("little".utf8)),
            storage ?? Entry(name: "arch/data/0", data: floatBytes(count)),
            Entry(name: "arch/version", data: Array("3\n".utf8)),
        ]
        return builder
    }

    static func floatBytes(_ count: Int) -> [UInt8] {
        (0..<count).map { Float($0 + 1) }.withUnsafeBytes(Array.init)
    }

    /// Raw deflate (no zlib header), as zip method 8 stores it.
    static func deflate(_ input: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        precondition(deflateInit2_(&stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK)
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 16)
        var input = input
        let produced = input.withUnsafeMutableBufferPointer { inBuffer in
            output.withUnsafeMutableBufferPointer { outBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = outBuffer.baseAddress
                stream.avail_out = uInt(outBuffer.count)
                precondition(CZlib.deflate(&stream, Z_FINISH) == Z_STREAM_END)
                return outBuffer.count - Int(stream.avail_out)
            }
        }
        return Array(output.prefix(produced))
    }
}
