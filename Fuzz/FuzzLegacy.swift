// libFuzzer target: the legacy torch.save reader (TorchLegacyFile: magic, protocol, sys_info,
// object pickle, storage-key list, storage element counts and bytes) on arbitrary bytes, and every
// tensor it then serves. Built by scripts/fuzz.sh (`scripts/fuzz.sh Legacy`), seeded from the legacy
// fixtures. The reader takes a mapped file, so each input goes through a file in /dev/shm.
#if canImport(Glibc)
import Glibc
#endif

private let scratchPath = "/dev/shm/lsg-fuzz-legacy-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLegacy(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let fd = open(scratchPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0 else { return 0 }
    if size > 0 { _ = write(fd, data, size) }
    close(fd)
    guard let source = try? TorchLegacyFile(path: scratchPath) else { return 0 }
    for info in source.tensorInfos {
        guard let tensor = try? source.tensor(named: info.name) else { continue }
        // The view must hold exactly the declared elements and lie inside the file.
        guard tensor.bytes.count == info.byteCount else {
            fatalError("`\(info.name)`: \(tensor.bytes.count) bytes for \(info.byteCount) declared")
        }
        if tensor.bytes.count > 0 { _ = tensor.bytes[0] &+ tensor.bytes[tensor.bytes.count - 1] }
    }
    return 0
}
