// Owned row-major Float32 storage for activations.
import Foundation

/// A row-major `[rows, cols]` Float32 matrix with 64-byte aligned storage.
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    /// `rows * cols` values, row-major.
    public let data: UnsafeMutablePointer<Float>
    /// False when `data` is memory given by ``placing(byteCount:at:sharedFileMapping:_:)`` (not freed here).
    private let ownsStorage: Bool
    /// True when `data` lies in a shared file mapping (a placement with `sharedFileMapping`): its
    /// pages may be populated and released as the matrix is filled (the file keeps their contents).
    let isInSharedFileMapping: Bool

    /// - Parameter zeroed: fill with zeros (skip for outputs a kernel overwrites entirely).
    public init(rows: Int, cols: Int, zeroed: Bool = true) {
        self.rows = rows
        self.cols = cols
        let placed = OutputPlacement.claim(byteCount: rows * cols * 4)
        ownsStorage = placed == nil
        isInSharedFileMapping = placed?.sharedFileMapping ?? false
        let raw = placed?.pointer ?? BufferPool.take(byteCount: max(1, rows * cols) * 4)
        if zeroed {
            data = raw.initializeMemory(as: Float.self, repeating: 0, count: max(1, rows * cols))
        } else {
            data = raw.bindMemory(to: Float.self, capacity: max(1, rows * cols))
        }
    }

    /// A matrix holding a copy of `values` (`rows * cols` of them).
    public convenience init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols)
        self.init(rows: rows, cols: cols, zeroed: false)
        values.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        if ownsStorage { BufferPool.give(UnsafeMutableRawPointer(data), byteCount: max(1, rows * cols) * 4) }
    }

    /// Runs `body` with the first matrix of exactly `byteCount` bytes it creates placed at `pointer`
    /// instead of a fresh buffer: `infer` puts the MLM logits straight into the mapped output file
    /// (issue 14), so the 824 MB of a 4096-token output are written once, by the GEMM. Returns
    /// whether the placement was used. One placement at a time (a process-wide setting: the
    /// command line runs one forward).
    /// - Parameters:
    ///   - pointer: at least `byteCount` writable bytes, 4-byte aligned, valid while the placed
    ///     matrix lives.
    ///   - sharedFileMapping: `pointer` lies in a `MAP_SHARED` mapping of a file, so the MLM decoder
    ///     may populate and release its pages block by block (``LogitsDecoder``): the stored values
    ///     stay in the file, and resident memory holds one block of logits instead of all of them.
    public static func placing<R>(byteCount: Int, at pointer: UnsafeMutableRawPointer, sharedFileMapping: Bool = false,
                                  _ body: () throws -> R) rethrows -> (result: R, placed: Bool) {
        OutputPlacement.set(byteCount: byteCount, pointer: pointer, sharedFileMapping: sharedFileMapping)
        defer { OutputPlacement.clear() }
        let result = try body()
        return (result, OutputPlacement.wasClaimed)
    }

    /// Start of row `i`.
    @inline(__always)
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { data + i * cols }

    /// The values as an array (row-major).
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: rows * cols)) }

    /// Frees the activation buffers kept for reuse between forward passes (see `BufferPool`): call it
    /// between forwards of different lengths when peak memory matters more than first-touch time.
    public static func releaseReusableBuffers() { BufferPool.drain() }
}

/// The pending placement of ``Matrix/placing(byteCount:at:_:)``.
enum OutputPlacement {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var pending: (byteCount: Int, pointer: UnsafeMutableRawPointer, sharedFileMapping: Bool)?
    nonisolated(unsafe) private(set) static var wasClaimed = false

    static func set(byteCount: Int, pointer: UnsafeMutableRawPointer, sharedFileMapping: Bool) {
        lock.lock(); pending = (byteCount, pointer, sharedFileMapping); wasClaimed = false; lock.unlock()
    }

    static func clear() { lock.lock(); pending = nil; lock.unlock() }

    static func claim(byteCount: Int) -> (pointer: UnsafeMutableRawPointer, sharedFileMapping: Bool)? {
        lock.lock()
        defer { lock.unlock() }
        guard let p = pending, p.byteCount == byteCount, byteCount > 0 else { return nil }
        pending = nil
        wasClaimed = true
        return (p.pointer, p.sharedFileMapping)
    }
}

/// Recycles large activation buffers between layers and forward passes. Every layer allocates the
/// same shapes; handing freed buffers back avoids the page faults (and kernel zeroing) of fresh
/// memory, which cost ~10% of a 4096-token forward. Buffers under 1 MiB go straight to malloc.
enum BufferPool {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var pooledBytes = 0
    /// Upper bound on memory kept for reuse.
    static let capacity = 3 << 30
    static let minimumSize = 1 << 20

    /// Frees every pooled buffer (a caller between unrelated forwards of different shapes, e.g. the
    /// verification's checks, so that buffers of one input length are not kept through the next).
    static func drain() {
        lock.lock()
        let buffers = free.values.flatMap { $0 }
        free = [:]
        pooledBytes = 0
        lock.unlock()
        for p in buffers { p.deallocate() }
    }

    static func take(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumSize {
            lock.lock()
            if let p = free[byteCount]?.popLast() {
                pooledBytes -= byteCount
                lock.unlock()
                return p
            }
            lock.unlock()
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    static func give(_ p: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= minimumSize {
            lock.lock()
            if pooledBytes + byteCount <= capacity {
                free[byteCount, default: []].append(p)
                pooledBytes += byteCount
                lock.unlock()
                return
            }
            lock.unlock()
        }
        p.deallocate()
    }
}
