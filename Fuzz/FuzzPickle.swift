// libFuzzer target: the unpickler on raw pickle bytes (the data.pkl of a torch zip, or any of the
// pickles of a legacy file), then the state-dict interpreter in both layouts, with the torch
// allow-list and with the plain-data policy. Built by scripts/fuzz.sh (`scripts/fuzz.sh Pickle`),
// seeded with the data.pkl entries extracted from the fixtures' zips and the legacy files' bytes.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPickle(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let result = try? Unpickler.load(bytes, file: "fuzz", globals: TorchPickleGlobals.policy) {
        guard result.end > 0, result.end <= size else { fatalError("pickle end \(result.end) outside 1...\(size)") }
        _ = result.value.kindDescription
        _ = try? TorchStateDict(pickle: result.value, file: "fuzz", layout: .zip)
        _ = try? TorchStateDict(pickle: result.value, file: "fuzz", layout: .legacy)
        // A legacy file is a sequence of pickles: keep reading after the first one.
        if let next = try? Unpickler.load(bytes, at: result.end, file: "fuzz", globals: .plainDataOnly) {
            guard next.end > result.end, next.end <= size else { fatalError("second pickle end \(next.end) out of range") }
        }
    }
    _ = try? Unpickler.load(bytes, file: "fuzz", globals: .plainDataOnly)
    return 0
}
