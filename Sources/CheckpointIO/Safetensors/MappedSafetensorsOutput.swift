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
        // Bring the reserved (unwritten, so zero) blocks into the page cache now, in one sequential
        // pass of 64 MiB steps, and take them out of this process again: populate each step
        // writable, then drop its page-table entries (the page cache keeps the pages). A writer that
        // maps the file block by block (``LogitsDecoder``) then only sets up page-table entries,
        // while resident memory holds one block at a time. Measured on `infer` at 4096 tokens
        // (issue 14): the decoder's scattered first touches cost ~0.9 CPU-s, populating the pages
        // block by block under the forward (readahead zero-filling each block) ~2 CPU-s, this pass ~0.3.
        let step = 64 << 20
        for offset in stride(from: 0, to: total, by: step) {
            let piece = UnsafeMutableRawBufferPointer(start: mapped + offset, count: min(step, total - offset))
            guard MappedPages.populateForWriting(piece) else { break }
            MappedPages.releaseWholePages(UnsafeRawBufferPointer(piece))
        }
        base.storeBytes(of: UInt64(header.count).littleEndian, as: UInt64.self)
        header.withUnsafeBytes { (base + 8).copyMemory(from: $0.baseAddress!, byteCount: header.count) }
    }

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
