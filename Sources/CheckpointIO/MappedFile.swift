#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. Tensor views into it stay valid while the object lives.
///
/// `Data(contentsOf:options:.alwaysMapped)` also maps, but its pointer is only valid inside
/// `withUnsafeBytes`; this class gives stable zero-copy views (see ../shared/docs/design.md §C3.7).
public final class MappedFile: @unchecked Sendable {
    /// The path as given by the caller, used in error messages.
    public let path: String
    /// All bytes of the file (empty for an empty file).
    public let bytes: UnsafeRawBufferPointer
    /// The open read-only descriptor of the file (-1 for an empty file), kept for in-kernel copies of
    /// its byte ranges (``AtomicOutputFile/copy(_:from:)``); closed with the mapping.
    public let descriptor: Int32
    private let mappingLength: Int

    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CheckpointError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        func fail(_ message: String) -> CheckpointError {
            let error = CheckpointError(.unreadable, file: path, "\(message): \(String(cString: strerror(errno)))")
            close(fd)
            return error
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw fail("cannot stat") }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw CheckpointError(.unreadable, file: path, "not a regular file")
        }
        let size = Int(status.st_size)
        if size == 0 {
            close(fd)
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            descriptor = -1
            mappingLength = 0
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw fail("cannot map \(size) bytes")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        descriptor = fd
        mappingLength = size
    }

    deinit {
        if mappingLength > 0, let base = bytes.baseAddress {
            munmap(UnsafeMutableRawPointer(mutating: base), mappingLength)
        }
        if descriptor >= 0 { close(descriptor) }
    }

    /// Where `range` (a view into ``bytes``) starts in the file, or nil when it is not inside the mapping.
    public func fileOffset(of range: UnsafeRawBufferPointer) -> Int? {
        guard let base = bytes.baseAddress, let start = range.baseAddress else { return nil }
        let offset = start - base
        guard offset >= 0, range.count <= bytes.count - offset else { return nil }
        return offset
    }

    /// File size in bytes.
    public var count: Int { bytes.count }

    /// The bytes `[offset, offset + length)`, or a `.truncated` error naming the file when the range
    /// does not lie inside it. Overflow-safe for untrusted offsets and lengths.
    public func slice(offset: Int, length: Int, tensor: String? = nil) throws -> UnsafeRawBufferPointer {
        guard offset >= 0, length >= 0, offset <= count, length <= count - offset else {
            throw CheckpointError(.truncated, file: path, tensor: tensor, offset: offset,
                                  "needs \(length) bytes but the file has \(count) bytes")
        }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
    }
}
