// Owned row-major Float32 storage for activations.
import Foundation

/// A row-major `[rows, cols]` Float32 matrix with 64-byte aligned storage.
public final class Matrix: @unchecked Sendable {
    public let rows: Int
    public let cols: Int
    /// `rows * cols` values, row-major.
    public let data: UnsafeMutablePointer<Float>

    /// - Parameter zeroed: fill with zeros (skip for outputs a kernel overwrites entirely).
    public init(rows: Int, cols: Int, zeroed: Bool = true) {
        self.rows = rows
        self.cols = cols
        let raw = BufferPool.take(byteCount: max(1, rows * cols) * 4)
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

    deinit { BufferPool.give(UnsafeMutableRawPointer(data), byteCount: max(1, rows * cols) * 4) }

    /// Start of row `i`.
    @inline(__always)
    public func row(_ i: Int) -> UnsafeMutablePointer<Float> { data + i * cols }

    /// The values as an array (row-major).
    public func toArray() -> [Float] { Array(UnsafeBufferPointer(start: data, count: rows * cols)) }

    /// Frees the activation buffers kept for reuse between forward passes (see `BufferPool`): call it
    /// between forwards of different lengths when peak memory matters more than first-touch time.
    public static func releaseReusableBuffers() { BufferPool.drain() }
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
