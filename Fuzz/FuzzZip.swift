// libFuzzer target: the zip central-directory reader alone (ZipArchive), on arbitrary bytes.
// Every entry's raw data and contents (stored view or zlib-inflated copy) are read and touched, so
// any offset or size the directory declares is exercised. Built by scripts/fuzz.sh (`scripts/fuzz.sh
// Zip`), seeded from the torch zip fixtures. No file round trip: the reader works on a buffer.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzZip(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let archive = try? ZipArchive(bytes: bytes, file: "fuzz") else { return 0 }
    for entry in archive.entries {
        // Every raw view must lie inside the input: touch its first and last byte.
        if let raw = try? archive.rawData(of: entry), raw.count > 0 {
            _ = raw[0] &+ raw[raw.count - 1]
        }
        guard archive.entry(named: entry.name) != nil else { fatalError("entry `\(entry.name)` not found by name") }
        if let content = try? archive.contents(of: entry) {
            guard content.bytes.count == entry.uncompressedSize else {
                fatalError("contents of `\(entry.name)`: \(content.bytes.count) bytes, directory says \(entry.uncompressedSize)")
            }
            if content.bytes.count > 0 { _ = content.bytes[0] &+ content.bytes[content.bytes.count - 1] }
        }
    }
    return 0
}
