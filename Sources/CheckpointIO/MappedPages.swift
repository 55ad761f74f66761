#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gives resident pages of a read-only file mapping back to the kernel once a one-pass reader is done
/// with them (conversion, the verification's tensor comparisons, one-shot forwards).
///
/// Mapped file pages count in the process's resident memory until unmapped; `madvise(MADV_DONTNEED)`
/// drops them from the page tables (the page cache keeps them, so touching them again costs a minor
/// fault, not a read). Only views into a ``MappedFile`` are released: owned heap buffers would lose
/// their contents.
public enum MappedPages {
    /// Bytes per chunk for the chunked readers (8 MiB: large enough for memcmp/SIMD speed, small
    /// enough that two chunks resident stay far under the model size).
    public static let chunkBytes = 8 << 20

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Releases the whole pages inside `bytes` when `owner` is a ``MappedFile`` (partial pages at
    /// either end are kept: they may belong to a neighbouring tensor still in use).
    public static func release(_ bytes: UnsafeRawBufferPointer, owner: AnyObject) {
        guard owner is MappedFile else { return }
        releaseWholePages(bytes)
    }

    /// Drops the whole pages inside `bytes` from this process (`MADV_DONTNEED`; partial pages at
    /// either end are kept). Only for file mappings: their pages stay in the page cache (a shared
    /// mapping's stores included, written to the file as usual), where anonymous memory would be lost.
    public static func releaseWholePages(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        let start = (Int(bitPattern: base) + pageSize - 1) / pageSize * pageSize
        let end = (Int(bitPattern: base) + bytes.count) / pageSize * pageSize
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED)
    }

    /// Maps every page touching `bytes` (of a writable shared mapping) writable in one call
    /// (`MADV_POPULATE_WRITE`, Linux 5.14) instead of one fault per first store. Returns false where
    /// the call is unknown (EINVAL) or fails; the pages then fault in on first use as usual.
    @discardableResult
    public static func populateForWriting(_ bytes: UnsafeMutableRawBufferPointer) -> Bool {
        #if os(Linux)
        guard let base = bytes.baseAddress, bytes.count > 0 else { return true }
        let start = Int(bitPattern: base) / pageSize * pageSize
        let end = Int(bitPattern: base) + bytes.count
        return madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, populateWrite) == 0
        #else
        return false
        #endif
    }

    /// `MADV_POPULATE_WRITE` (uapi/asm-generic/mman-common.h); Glibc's Swift module does not export it.
    static let populateWrite: Int32 = 23

    /// Calls `body` on consecutive chunks of `bytes` (each at most `chunk` bytes, a multiple of
    /// `alignment`), releasing each chunk's pages after it when `owner` is a mapped file. Stops
    /// early when `body` returns false.
    public static func forEachChunk(_ bytes: UnsafeRawBufferPointer, owner: AnyObject, chunk: Int = chunkBytes,
                                    alignment: Int = 8, _ body: (UnsafeRawBufferPointer, Int) throws -> Bool) rethrows {
        let step = max(alignment, chunk / alignment * alignment)
        var offset = 0
        while offset < bytes.count {
            let n = min(step, bytes.count - offset)
            let piece = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)])
            let goOn = try body(piece, offset)
            release(piece, owner: owner)
            if !goOn { return }
            offset += n
        }
    }
}

extension TensorData {
    /// Releases this tensor's resident pages when it is a view into a mapped file (see ``MappedPages``).
    public func releaseMappedPages() { MappedPages.release(bytes, owner: owner) }
}
