import CFileRangeCopy
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered, sequential file writer that writes to a temporary name beside the destination and
/// renames it into place on ``commit()``; dropped without a commit, the temporary file is removed.
/// A crash can leave only a `.<name>.tmp-<pid>` file, never a half-written destination.
public final class AtomicOutputFile {
    /// The final path.
    public let path: String
    /// Where the bytes go until ``commit()``.
    public let temporaryPath: String
    private var fd: Int32
    private var buffer: UnsafeMutableRawBufferPointer
    private var buffered = 0
    private var committed = false
    /// Bytes written so far.
    public private(set) var bytesWritten = 0
    /// The size ``reserve(byteCount:)`` gave the file (0 when nothing was reserved).
    private var reservedBytes = 0

    /// Opens a temporary file beside `path`. With `overwrite: false` an existing `path` is an error.
    public init(path: String, overwrite: Bool = false, bufferSize: Int = 4 << 20) throws {
        self.path = path
        if !overwrite, access(path, F_OK) == 0 {
            throw CheckpointError(.writeFailed, file: path, "already exists (use --force to overwrite)")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        temporaryPath = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw CheckpointError(.writeFailed, file: path, "cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferSize, alignment: 64)
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed { unlink(temporaryPath) }
        buffer.deallocate()
    }

    /// Allocates the file's final size on disk before anything is written (`posix_fallocate`), for a
    /// writer that knows it (the safetensors writer does): a full disk is an error here, before
    /// hundreds of MB are written, and ext4 then skips its per-block delayed-allocation bookkeeping on
    /// every `write` (issue 14's profile: `ext4_da_write_begin` was ~2/3 of the conversion's write
    /// time; ~0.15 -> ~0.08 CPU-s for 500 MB measured). Filesystems without fallocate are left as they are.
    public func reserve(byteCount: Int) throws {
        guard byteCount > 0 else { return }
        let code = posix_fallocate(fd, 0, off_t(byteCount))
        if code == EOPNOTSUPP || code == EINVAL { return }
        guard code == 0 else {
            throw CheckpointError(.writeFailed, file: path, "cannot reserve \(byteCount) bytes: \(String(cString: strerror(code)))")
        }
        reservedBytes = byteCount
    }

    /// Appends `bytes`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard bytes.count > 0 else { return }
        if buffered + bytes.count <= buffer.count {
            UnsafeMutableRawBufferPointer(rebasing: buffer[buffered...]).copyMemory(from: bytes)
            buffered += bytes.count
        } else {
            try flush()
            if bytes.count >= buffer.count {
                try writeAll(bytes)
            } else {
                buffer.copyMemory(from: bytes)
                buffered = bytes.count
            }
        }
        bytesWritten += bytes.count
    }

    /// Appends `range`, a view into `file`'s mapping, copying it inside the kernel (`copy_file_range`)
    /// instead of `write(2)` from the mapping: the source pages are never mapped into this process,
    /// so there are no page faults and no page-table teardown for them (issue 14: 500 MB in ~0.13
    /// CPU-s, against ~0.3 for `write` from the mapping, both after ``reserve(byteCount:)``). Where
    /// the kernel or the file systems cannot (ENOSYS, EXDEV, EINVAL, EOPNOTSUPP), the rest is
    /// written from the mapping.
    public func copy(_ range: UnsafeRawBufferPointer, from file: MappedFile) throws {
        guard range.count > 0 else { return }
        guard let start = file.fileOffset(of: range), file.descriptor >= 0 else {
            try write(range)
            return
        }
        try flush()
        var done = 0
        while done < range.count {
            let n = lsg_copy_file_range(file.descriptor, Int64(start + done), fd, range.count - done)
            if n > 0 {
                done += n
                continue
            }
            if n < 0, errno == EINTR { continue }
            if n < 0, [ENOSYS, EXDEV, EINVAL, EOPNOTSUPP, EBADF].contains(errno) {
                try writeAll(UnsafeRawBufferPointer(rebasing: range[done...]))
                break
            }
            let reason = n == 0 ? "the file ended early" : String(cString: strerror(errno))
            throw CheckpointError(.writeFailed, file: path, offset: bytesWritten + done,
                                  "cannot copy \(range.count - done) bytes from \(file.path) at offset \(start + done): \(reason)")
        }
        bytesWritten += range.count
    }

    /// Appends the UTF-8 bytes of `text`.
    public func write(_ text: String) throws {
        var copy = text
        try copy.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends the raw little-endian bytes of `values`.
    public func write<T: BitwiseCopyable>(contentsOf values: [T]) throws {
        try values.withUnsafeBytes { try write($0) }
    }

    private func flush() throws {
        guard buffered > 0 else { return }
        try writeAll(UnsafeRawBufferPointer(rebasing: buffer[0..<buffered]))
        buffered = 0
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw CheckpointError(.writeFailed, file: path, offset: bytesWritten, "write failed: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    /// Flushes, optionally fsyncs, closes and renames the temporary file to ``path``.
    public func commit(durable: Bool = false) throws {
        try flush()
        // A reservation larger than what was written would leave zeros at the end of the file.
        if reservedBytes > bytesWritten, ftruncate(fd, off_t(bytesWritten)) != 0 {
            throw CheckpointError(.writeFailed, file: path, "cannot truncate to \(bytesWritten) bytes: \(String(cString: strerror(errno)))")
        }
        if durable, fsync(fd) != 0 {
            throw CheckpointError(.writeFailed, file: path, "fsync failed: \(String(cString: strerror(errno)))")
        }
        try closeAndRename(&fd, temporaryPath: temporaryPath, to: path)
        committed = true
    }
}

/// Closes `fd` (set to -1 whatever happens) and renames `temporaryPath` to `path`: the last step of every
/// atomic output file (``AtomicOutputFile``, ``MappedSafetensorsOutput``).
func closeAndRename(_ fd: inout Int32, temporaryPath: String, to path: String) throws {
    let closed = close(fd)
    fd = -1
    if closed != 0 {
        throw CheckpointError(.writeFailed, file: path, "close failed: \(String(cString: strerror(errno)))")
    }
    guard rename(temporaryPath, path) == 0 else {
        throw CheckpointError(.writeFailed, file: path, "cannot rename \(temporaryPath): \(String(cString: strerror(errno)))")
    }
}
