// libFuzzer target: the safetensors header parser and tensor views on arbitrary bytes.
// Built by scripts/fuzz.sh (not a SwiftPM target: libFuzzer supplies `main`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafetensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let header = try? SafetensorsHeader(fileBytes: bytes, file: "fuzz") {
        // Every entry must lie inside the buffer: touch its first and last byte.
        for entry in header.entries where entry.end > entry.begin {
            let first = bytes[header.dataStart + entry.begin]
            let last = bytes[header.dataStart + entry.end - 1]
            _ = first &+ last
        }
    }
    return 0
}
