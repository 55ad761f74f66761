import CZlib

/// The central directory of a zip file (PKWARE APPNOTE.TXT §4.3), zip64 included, read from a
/// memory map without copying. Just what `torch.save` archives need: entry names, compression
/// method, sizes and where each entry's data starts. Every offset and size is checked against the
/// file before use; a bad directory gives `.malformed` / `.truncated` with the byte offset.
struct ZipArchive {
    /// One central-directory record.
    struct Entry: Sendable {
        var name: String
        /// 0 = stored, 8 = deflated.
        var method: UInt16
        var flags: UInt16
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
        /// Where this record sits in the central directory (for error messages).
        var recordOffset: Int
    }

    static let stored: UInt16 = 0
    static let deflated: UInt16 = 8

    private static let localHeaderSignature: UInt32 = 0x0403_4B50
    private static let centralHeaderSignature: UInt32 = 0x0201_4B50
    private static let endSignature: UInt32 = 0x0605_4B50
    private static let zip64LocatorSignature: UInt32 = 0x0706_4B50
    private static let zip64EndSignature: UInt32 = 0x0606_4B50
    private static let zip64ExtraID: UInt16 = 0x0001

    let bytes: UnsafeRawBufferPointer
    let file: String
    /// Entries in directory order.
    let entries: [Entry]
    /// Start of the central directory: every entry's data must end before it.
    let centralDirectoryOffset: Int
    private let index: [String: Int]

    init(bytes: UnsafeRawBufferPointer, file: String) throws {
        self.bytes = bytes
        self.file = file
        func fail(_ offset: Int, _ message: String) -> CheckpointError {
            CheckpointError(.malformed, file: file, offset: offset, "zip: \(message)")
        }
        func truncated(_ offset: Int, _ message: String) -> CheckpointError {
            CheckpointError(.truncated, file: file, offset: offset, "zip: \(message)")
        }

        // End of central directory: 22 bytes plus a comment of up to 65 535 bytes, so it starts
        // within the last 65 557 bytes. Accept a candidate only if its comment ends the file exactly,
        // so that a signature inside a comment or inside stored data cannot be mistaken for it.
        var endOffset: Int?
        if bytes.count >= 22 {
            let lowest = max(0, bytes.count - 22 - 0xFFFF)
            var candidate = bytes.count - 22
            while candidate >= lowest {
                defer { candidate -= 1 }
                // "PK\5\6", compared byte by byte (cheap enough even in debug builds).
                guard bytes[candidate] == 0x50, bytes[candidate + 1] == 0x4B,
                      bytes[candidate + 2] == 0x05, bytes[candidate + 3] == 0x06 else { continue }
                let commentLength = Int(bytes.littleEndian(at: candidate + 20, as: UInt16.self))
                if candidate + 22 + commentLength == bytes.count {
                    endOffset = candidate
                    break
                }
            }
        }
        guard let end = endOffset else {
            throw truncated(bytes.count, "no end-of-central-directory record in the last \(min(bytes.count, 22 + 0xFFFF)) bytes (truncated or not a zip file)")
        }
        var entryCount = Int(bytes.littleEndian(at: end + 10, as: UInt16.self))
        var directorySize = Int(bytes.littleEndian(at: end + 12, as: UInt32.self))
        var directoryOffset = Int(bytes.littleEndian(at: end + 16, as: UInt32.self))
        var directoryLimit = end

        // Zip64: a locator just before the end record points at the zip64 end record, whose 64-bit
        // fields replace the saturated (0xFFFF / 0xFFFFFFFF) ones (APPNOTE §4.3.14-4.3.15).
        if end >= 20, bytes.littleEndian(at: end - 20, as: UInt32.self) == Self.zip64LocatorSignature {
            let recordOffset64 = bytes.littleEndian(at: end - 20 + 8, as: UInt64.self)
            guard recordOffset64 <= UInt64(end - 20), bytes.contains(offset: Int(recordOffset64), length: 56),
                  bytes.littleEndian(at: Int(recordOffset64), as: UInt32.self) == Self.zip64EndSignature
            else { throw fail(end - 20, "zip64 locator points at \(recordOffset64), where there is no zip64 end record") }
            let record = Int(recordOffset64)
            guard let count64 = Int(exactly: bytes.littleEndian(at: record + 32, as: UInt64.self)),
                  let size64 = Int(exactly: bytes.littleEndian(at: record + 40, as: UInt64.self)),
                  let offset64 = Int(exactly: bytes.littleEndian(at: record + 48, as: UInt64.self))
            else { throw fail(record, "zip64 end record holds sizes beyond 2^63") }
            entryCount = count64
            directorySize = size64
            directoryOffset = offset64
            directoryLimit = record
        } else if entryCount == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw fail(end, "end record has zip64 markers but no zip64 locator precedes it")
        }

        guard directoryOffset <= directoryLimit, directorySize <= directoryLimit - directoryOffset else {
            throw truncated(end, "central directory [\(directoryOffset), +\(directorySize)) does not fit before byte \(directoryLimit)")
        }
        // Each record takes at least 46 bytes: this bounds the entry count before reserving.
        guard entryCount <= directorySize / 46 else {
            throw fail(end, "\(entryCount) entries cannot fit in a central directory of \(directorySize) bytes")
        }

        var entries: [Entry] = []
        entries.reserveCapacity(entryCount)
        var index: [String: Int] = [:]
        var cursor = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for _ in 0..<entryCount {
            guard cursor <= directoryEnd - 46 else { throw fail(cursor, "central directory ends inside a record") }
            guard bytes.littleEndian(at: cursor, as: UInt32.self) == Self.centralHeaderSignature else {
                throw fail(cursor, "bad central directory record signature")
            }
            let flags = bytes.littleEndian(at: cursor + 8, as: UInt16.self)
            let method = bytes.littleEndian(at: cursor + 10, as: UInt16.self)
            var compressed = UInt64(bytes.littleEndian(at: cursor + 20, as: UInt32.self))
            var uncompressed = UInt64(bytes.littleEndian(at: cursor + 24, as: UInt32.self))
            let nameLength = Int(bytes.littleEndian(at: cursor + 28, as: UInt16.self))
            let extraLength = Int(bytes.littleEndian(at: cursor + 30, as: UInt16.self))
            let commentLength = Int(bytes.littleEndian(at: cursor + 32, as: UInt16.self))
            var localOffset = UInt64(bytes.littleEndian(at: cursor + 42, as: UInt32.self))
            let recordLength = 46 + nameLength + extraLength + commentLength
            guard recordLength <= directoryEnd - cursor else { throw fail(cursor, "central directory record overruns the directory") }
            let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(cursor + 46)..<(cursor + 46 + nameLength)]), as: UTF8.self)

            // Zip64 extended information (APPNOTE §4.5.3): 8-byte values for exactly the saturated
            // 32-bit fields, in the order uncompressed, compressed, local header offset.
            var extra = cursor + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = bytes.littleEndian(at: extra, as: UInt16.self)
                let size = Int(bytes.littleEndian(at: extra + 2, as: UInt16.self))
                guard size <= extraEnd - extra - 4 else { throw fail(extra, "extra field of entry `\(name)` overruns its record") }
                if id == Self.zip64ExtraID {
                    var field = extra + 4
                    func next() throws -> UInt64 {
                        guard field + 8 <= extra + 4 + size else { throw fail(field, "zip64 extra field of entry `\(name)` is too short") }
                        defer { field += 8 }
                        return bytes.littleEndian(at: field, as: UInt64.self)
                    }
                    if uncompressed == 0xFFFF_FFFF { uncompressed = try next() }
                    if compressed == 0xFFFF_FFFF { compressed = try next() }
                    if localOffset == 0xFFFF_FFFF { localOffset = try next() }
                }
                extra += 4 + size
            }
            guard let compressedSize = Int(exactly: compressed), let uncompressedSize = Int(exactly: uncompressed),
                  let localHeaderOffset = Int(exactly: localOffset)
            else { throw fail(cursor, "entry `\(name)` has sizes beyond 2^63") }
            guard index[name] == nil else { throw fail(cursor, "duplicate entry `\(name)`") }
            index[name] = entries.count
            entries.append(Entry(name: name, method: method, flags: flags, compressedSize: compressedSize,
                                 uncompressedSize: uncompressedSize, localHeaderOffset: localHeaderOffset,
                                 recordOffset: cursor))
            cursor += recordLength
        }
        self.entries = entries
        self.index = index
        self.centralDirectoryOffset = directoryOffset
    }

    /// The entry named `name`, if any.
    func entry(named name: String) -> Entry? {
        index[name].map { entries[$0] }
    }

    /// The entry's raw (possibly compressed) data, located through its local header. torch writes
    /// crc and sizes as 0 in local headers (flag bit 3, data descriptor), so sizes come from the
    /// central directory; the local header's name and extra lengths give the data start (torch pads
    /// the extra field so that data starts on a 64-byte boundary).
    func rawData(of entry: Entry) throws -> UnsafeRawBufferPointer {
        func fail(_ offset: Int, _ message: String) -> CheckpointError {
            CheckpointError(.malformed, file: file, offset: offset, "zip: entry `\(entry.name)`: \(message)")
        }
        let header = entry.localHeaderOffset
        guard header <= centralDirectoryOffset - 30 else {
            throw fail(entry.recordOffset, "local header offset \(header) lies outside the entries area")
        }
        guard bytes.littleEndian(at: header, as: UInt32.self) == Self.localHeaderSignature else {
            throw fail(header, "bad local header signature")
        }
        if entry.flags & 1 != 0 {
            throw CheckpointError(.unsupported, file: file, offset: header, "zip: entry `\(entry.name)` is encrypted")
        }
        if entry.method == Self.stored && entry.compressedSize != entry.uncompressedSize {
            throw fail(entry.recordOffset, "stored entry declares \(entry.compressedSize) bytes stored but \(entry.uncompressedSize) uncompressed")
        }
        let nameLength = Int(bytes.littleEndian(at: header + 26, as: UInt16.self))
        let extraLength = Int(bytes.littleEndian(at: header + 28, as: UInt16.self))
        let dataStart = header + 30 + nameLength + extraLength
        guard dataStart <= centralDirectoryOffset, entry.compressedSize <= centralDirectoryOffset - dataStart else {
            throw CheckpointError(.truncated, file: file, offset: header,
                                  "zip: entry `\(entry.name)`: \(entry.compressedSize) data bytes from \(dataStart) run past the central directory at \(centralDirectoryOffset)")
        }
        guard UnsafeRawBufferPointer(rebasing: bytes[(header + 30)..<(header + 30 + nameLength)]).elementsEqual(entry.name.utf8) else {
            throw fail(header, "local header names a different file than the central directory")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[dataStart..<(dataStart + entry.compressedSize)])
    }

    /// The entry's content: a view into the file when stored, an inflated copy when deflated.
    /// `owner` keeps the returned bytes valid (`nil` means they live in the caller's mapping).
    func contents(of entry: Entry) throws -> (bytes: UnsafeRawBufferPointer, owner: OwnedBytes?) {
        let raw = try rawData(of: entry)
        switch entry.method {
        case Self.stored:
            return (raw, nil)
        case Self.deflated:
            let inflated = try inflate(raw, entry: entry)
            return (inflated.bytes, inflated)
        default:
            throw CheckpointError(.unsupported, file: file, offset: entry.localHeaderOffset,
                                  "zip: entry `\(entry.name)` uses compression method \(entry.method) (only stored and deflated are supported)")
        }
    }

    /// Raw-inflates `compressed` into exactly `entry.uncompressedSize` bytes with zlib.
    private func inflate(_ compressed: UnsafeRawBufferPointer, entry: Entry) throws -> OwnedBytes {
        func fail(_ message: String) -> CheckpointError {
            CheckpointError(.malformed, file: file, offset: entry.localHeaderOffset, "zip: entry `\(entry.name)`: \(message)")
        }
        // Deflate cannot expand data more than 1032:1 (zlib's FAQ), so a larger declared size is a
        // lie: refuse it before allocating.
        let (bound, overflow) = compressed.count.multipliedReportingOverflow(by: 1032)
        guard !overflow, entry.uncompressedSize <= bound + 64 else {
            throw fail("declares \(entry.uncompressedSize) bytes inflated from only \(compressed.count)")
        }
        let output = OwnedBytes(count: entry.uncompressedSize)
        // OwnedBytes always allocates at least one byte, so even an empty output has an address
        // (zlib rejects a null next_out).
        guard let outputBase = output.mutableBytes.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw CheckpointError(.unreadable, file: file, "zlib: no output buffer")
        }
        let inputBase = UnsafeMutablePointer(mutating: compressed.baseAddress?.assumingMemoryBound(to: UInt8.self))
        var stream = z_stream()
        // -15: raw deflate data (no zlib header), 32 KiB window, as zip stores it.
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw CheckpointError(.unreadable, file: file, "zlib: cannot initialise inflate")
        }
        defer { inflateEnd(&stream) }
        // zlib counts in 32-bit `uInt`: feed and drain in chunks of at most 1 GiB.
        let chunk = 1 << 30
        var consumed = 0
        var produced = 0
        while true {
            let inputChunk = min(chunk, compressed.count - consumed)
            let outputChunk = min(chunk, entry.uncompressedSize - produced)
            stream.next_in = inputBase.map { $0 + consumed }
            stream.avail_in = uInt(inputChunk)
            stream.next_out = outputBase + produced
            stream.avail_out = uInt(outputChunk)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            consumed += inputChunk - Int(stream.avail_in)
            produced += outputChunk - Int(stream.avail_out)
            switch status {
            case Z_STREAM_END:
                break
            case Z_OK:
                continue
            case Z_BUF_ERROR where outputChunk == 0:
                // No room left and zlib still has output: the stream is longer than declared.
                throw fail("inflates to more than the declared \(entry.uncompressedSize) bytes")
            case Z_BUF_ERROR where inputChunk == 0:
                throw fail("deflate data ends early (\(produced) of \(entry.uncompressedSize) bytes)")
            case Z_BUF_ERROR:
                continue
            default:
                throw fail("corrupt deflate data (zlib status \(status))")
            }
            break
        }
        guard produced == entry.uncompressedSize else {
            throw fail("inflates to \(produced) bytes instead of the declared \(entry.uncompressedSize)")
        }
        return output
    }
}
