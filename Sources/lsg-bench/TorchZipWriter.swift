// A minimal `torch.save` zip writer, so the benchmark needs no torch to produce `pytorch_model.bin`.
import Foundation

/// Writes a PyTorch zip checkpoint (the `torch.save` format since 1.6) of Float32 tensors:
/// `archive/data.pkl` (a protocol-2 pickle of an `OrderedDict` of `torch._utils._rebuild_tensor_v2`
/// calls), `archive/byteorder`, `archive/data/<i>` (one storage per tensor), `archive/version`.
/// Entries are stored (no compression) with their data aligned to 64 bytes, as torch's
/// `PyTorchStreamWriter` does (it pads the local header's extra field), so readers can map them.
/// No ZIP64: the benchmark model (~500 MB) stays under 4 GiB.
struct TorchZipWriter {
    struct Tensor {
        let name: String
        let shape: [Int]
        /// Element values, produced when the entry is written (so the caller never holds all tensors).
        let values: () -> [Float]
    }

    private var file: FileHandle
    private var offset: UInt64 = 0
    private var central = Data()
    private var entryCount = 0

    /// Writes `tensors` to `path` (replaced if present).
    static func write(_ tensors: [Tensor], to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        var writer = TorchZipWriter(file: handle)
        try writer.add("archive/data.pkl", Self.pickle(tensors))
        try writer.add("archive/byteorder", Data("little".utf8))
        for (index, tensor) in tensors.enumerated() {
            let values = tensor.values()
            precondition(values.count == tensor.shape.reduce(1, *), "\(tensor.name): value count")
            try writer.add("archive/data/\(index)", values.withUnsafeBytes { Data($0) })
        }
        try writer.add("archive/version", Data("3\n".utf8))
        try writer.finish()
        try handle.close()
    }

    private init(file: FileHandle) { self.file = file }

    /// The state-dict pickle: `OrderedDict([(name, _rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()))...])`.
    static func pickle(_ tensors: [Tensor]) -> Data {
        var p = Data([0x80, 0x02])                                   // PROTO 2
        func global(_ module: String, _ name: String) { p.append(0x63); p.append(Data("\(module)\n\(name)\n".utf8)) }
        func unicode(_ s: String) {                                  // BINUNICODE
            let bytes = Data(s.utf8)
            p.append(0x58); appendLE(UInt32(bytes.count), to: &p); p.append(bytes)
        }
        func int(_ v: Int) { p.append(0x4A); appendLE(UInt32(truncatingIfNeeded: Int32(v)), to: &p) }   // BININT
        func intTuple(_ values: [Int]) { p.append(0x28); values.forEach(int); p.append(0x74) }
        func emptyOrderedDict() { global("collections", "OrderedDict"); p.append(0x29); p.append(0x52) }

        emptyOrderedDict()
        p.append(0x28)                                               // MARK (SETITEMS pairs)
        for (index, tensor) in tensors.enumerated() {
            unicode(tensor.name)
            global("torch._utils", "_rebuild_tensor_v2")
            p.append(0x28)                                           // MARK (arguments)
            // Persistent id ('storage', FloatStorage, key, location, numel), resolved by the loader.
            p.append(0x28); unicode("storage"); global("torch", "FloatStorage"); unicode(String(index)); unicode("cpu")
            int(tensor.shape.reduce(1, *)); p.append(0x74); p.append(0x51)   // TUPLE, BINPERSID
            int(0)                                                   // storage offset
            intTuple(tensor.shape)
            var strides = [Int](repeating: 1, count: tensor.shape.count)
            for i in stride(from: tensor.shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * tensor.shape[i + 1] }
            intTuple(strides)
            p.append(0x89)                                           // requires_grad False
            emptyOrderedDict()                                       // backward hooks
            p.append(0x74); p.append(0x52)                           // TUPLE, REDUCE
        }
        p.append(0x75); p.append(0x2E)                               // SETITEMS, STOP
        return p
    }

    private mutating func add(_ name: String, _ data: Data) throws {
        let nameBytes = Data(name.utf8)
        let headerSize = 30 + nameBytes.count + 4                    // + the extra field's own 4-byte header
        let padding = Int((64 - (offset + UInt64(headerSize)) % 64) % 64)
        let crc = CRC32.checksum(data)
        precondition(offset + UInt64(headerSize + padding + data.count) < UInt64(UInt32.max), "ZIP64 not supported")
        var local = Data()
        appendLE(UInt32(0x0403_4B50), to: &local)
        appendLE(UInt16(20), to: &local); appendLE(UInt16(0), to: &local); appendLE(UInt16(0), to: &local)   // version, flags, stored
        appendLE(UInt16(0), to: &local); appendLE(UInt16(0x21), to: &local)                                  // time, date (1980-01-01)
        appendLE(crc, to: &local); appendLE(UInt32(data.count), to: &local); appendLE(UInt32(data.count), to: &local)
        appendLE(UInt16(nameBytes.count), to: &local); appendLE(UInt16(4 + padding), to: &local)
        local.append(nameBytes)
        // Extra field id 0x4650 ("FP"), as torch uses for its alignment padding.
        appendLE(UInt16(0x4650), to: &local); appendLE(UInt16(padding), to: &local)
        local.append(Data(count: padding))
        try file.write(contentsOf: local)
        try file.write(contentsOf: data)

        appendLE(UInt32(0x0201_4B50), to: &central)
        appendLE(UInt16(20), to: &central); appendLE(UInt16(20), to: &central); appendLE(UInt16(0), to: &central)
        appendLE(UInt16(0), to: &central); appendLE(UInt16(0), to: &central); appendLE(UInt16(0x21), to: &central)
        appendLE(crc, to: &central); appendLE(UInt32(data.count), to: &central); appendLE(UInt32(data.count), to: &central)
        appendLE(UInt16(nameBytes.count), to: &central); appendLE(UInt16(0), to: &central); appendLE(UInt16(0), to: &central)
        appendLE(UInt16(0), to: &central); appendLE(UInt16(0), to: &central); appendLE(UInt32(0), to: &central)
        appendLE(UInt32(offset), to: &central)
        central.append(nameBytes)
        offset += UInt64(local.count + data.count)
        entryCount += 1
    }

    private mutating func finish() throws {
        var end = Data()
        appendLE(UInt32(0x0605_4B50), to: &end)
        appendLE(UInt16(0), to: &end); appendLE(UInt16(0), to: &end)
        appendLE(UInt16(entryCount), to: &end); appendLE(UInt16(entryCount), to: &end)
        appendLE(UInt32(central.count), to: &end); appendLE(UInt32(offset), to: &end); appendLE(UInt16(0), to: &end)
        try file.write(contentsOf: central)
        try file.write(contentsOf: end)
    }
}

private func appendLE<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
}

/// CRC-32 (IEEE 802.3, the zip checksum), slicing-by-one table.
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ data: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            table.withUnsafeBufferPointer { t in
                for byte in bytes { crc = t[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
