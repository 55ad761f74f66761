#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A safetensors file laid out up front and written through a shared memory map: the caller gets a
/// pointer to each tensor's bytes in the file and computes into it, so large outputs (824 MB of
/// logits for 4096 tokens) are never copied from a buffer into the page cache (issue 14).
///
/// Same layout as ``SafetensorsWriter`` (storage order, header padding, `__metadata__`) and the
/// same atomicity as ``AtomicOutputFile``: a temporary name beside the destination, renamed on
/// ``commit(durable:)``, removed when dropped without a commit. The blocks are reserved with
/// `posix_fallocate` first, so a full disk is an error here, not a SIGBUS on a later store.
public final class MappedSafetensorsOutput {
    public let path: String
    public let temporaryPath: String
    /// The tensors in storage order.
    public let infos: [TensorInfo]
    private let base: UnsafeMutableRawPointer
    private let length: Int
    private let dataStart: Int
    private let offsets: [String: Int]
    private var fd: Int32
    private var committed = false

    public init(path: String, infos: [TensorInfo], metadata: [String: String] = ["format": "pt"], overwrite: Bool = false) throws {
        self.path = path
        var seen = Set<String>()
        for info in infos where !seen.insert(info.name).inserted {
            throw CheckpointError(.inconsistent, file: path, tensor: info.name, "written twice")
        }
        if !overwrite, access(path, F_OK) == 0 {
            throw CheckpointError(.writeFailed, file: path, "already exists (use --force to overwrite)")
        }
        let ordered = SafetensorsWriter.storageOrder(infos)
        self.infos = ordered
        let header = Array(SafetensorsWriter.header(for: ordered, metadata: metadata).utf8)
        dataStart = 8 + header.count
        var offsets: [String: Int] = [:]
        var offset = dataStart
        for info in ordered {
            offsets[info.name] = offset
            offset += info.byteCount
        }
        self.offsets = offsets
        let total = offset
        length = total
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())"
        temporaryPath = temporary
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CheckpointError(.writeFailed, file: path, "cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        func fail(_ what: String, _ code: Int32) -> CheckpointError {
            close(descriptor)
            unlink(temporary)
            return CheckpointError(.writeFailed, file: path, "\(what) \(total) bytes: \(String(cString: strerror(code)))")
        }
        let reserved = posix_fallocate(descriptor, 0, off_t(total))
        if reserved != 0 {
            // Filesystems without fallocate (EOPNOTSUPP) get a plain size; anything else (ENOSPC) is an error.
            let unsupported = reserved == EOPNOTSUPP || reserved == EINVAL
            guard unsupported, ftruncate(descriptor, off_t(total)) == 0 else {
                throw fail("cannot reserve", unsupported ? errno : reserved)
            }
        }
        guard let mapped = mmap(nil, total, PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, 0), mapped != MAP_FAILED else {
            throw fail("cannot map", errno)
        }
        fd = descriptor
        base = mapped
        // Every byte is written, so map all pages in one call before the writers start
        // (MADV_POPULATE_WRITE, Linux 5.14): the decoder GEMM stores the logits column block by column
        // block from two threads, and its first touches page-faulted one 4 KiB page at a time,
        // contending on the file's mapping: ~0.9 CPU-s for the 824 MB of a 4096-token output,
        // against ~0.2 for populating them in order (issue 14's profile of `infer`). Where the call
        // is unknown (EINVAL) or fails, the pages fault in on first use as before.
        #if os(Linux)
        _ = madvise(mapped, total, Self.populateWrite)
        #endif
        base.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self)
        header.withUnsafeBytes { (base + 8).copyMemory(from: $0.baseAddress!, byteCount: header.count) }
    }

    /// `MADV_POPULATE_WRITE` (uapi/asm-generic/mman-common.h); Glibc's Swift module does not export it.
    static let populateWrite: Int32 = 23

    deinit {
        munmap(base, length)
        if fd >= 0 { close(fd) }
        if !committed { unlink(temporaryPath) }
    }

    /// The writable bytes of tensor `name` inside the mapped file (8-byte aligned).
    public func bytes(of name: String) -> UnsafeMutableRawBufferPointer? {
        guard let offset = offsets[name], let info = infos.first(where: { $0.name == name }) else { return nil }
        return UnsafeMutableRawBufferPointer(start: base + offset, count: info.byteCount)
    }

    /// Unmaps nothing yet; optionally fsyncs, closes and renames the temporary file to ``path``.
    public func commit(durable: Bool = false) throws {
        if durable, msync(base, length, MS_SYNC) != 0 || fsync(fd) != 0 {
            throw CheckpointError(.writeFailed, file: path, "fsync failed: \(String(cString: strerror(errno)))")
        }
        try closeAndRename(&fd, temporaryPath: temporaryPath, to: path)
        committed = true
    }
}
