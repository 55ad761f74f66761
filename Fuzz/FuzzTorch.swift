// libFuzzer target: the PyTorch readers (zip archive, legacy stream) and the unpickler + state-dict
// interpreter on arbitrary bytes. Built by scripts/fuzz.sh (`scripts/fuzz.sh Torch`), seeded from
// fixtures/torch. The readers take a mapped file, so each input goes through a file in /dev/shm.
#if canImport(Glibc)
import Glibc
#endif

private let scratchPath = "/dev/shm/lsg-fuzz-torch-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTorch(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    // The pickle layers alone, on the raw input.
    if let result = try? Unpickler.load(bytes, file: "fuzz", globals: TorchPickleGlobals.policy) {
        _ = try? TorchStateDict(pickle: result.value, file: "fuzz", layout: .zip)
        _ = try? TorchStateDict(pickle: result.value, file: "fuzz", layout: .legacy)
    }
    // The whole readers, through a file.
    let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return 0 }
    if size > 0 { _ = write(fd, data, size) }
    close(fd)
    let sources: [(any TensorSource)?] = [try? TorchZipFile(path: scratchPath), try? TorchLegacyFile(path: scratchPath)]
    for case let source? in sources {
        for info in source.tensorInfos {
            // Every view must lie inside its storage: touch its first and last byte.
            guard let tensor = try? source.tensor(named: info.name), tensor.bytes.count > 0 else { continue }
            _ = tensor.bytes[0] &+ tensor.bytes[tensor.bytes.count - 1]
        }
    }
    return 0
}
