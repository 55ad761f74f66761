// Work splitting over the CPU cores.
import Dispatch
import Foundation

/// How many threads the runtime's kernels use. Defaults to the number of active cores;
/// the benchmark sets it to 1 or 2 to measure scaling.
public enum Parallel {
    nonisolated(unsafe) private static var configuredThreads: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Threads used by ``forEach(_:_:)`` (at least 1).
    public static var threadCount: Int {
        get { configuredThreads }
        set { configuredThreads = max(1, newValue) }
    }

    /// Runs `body(i)` for every `i` in `0..<count`, spread over ``threadCount`` threads with a static
    /// interleaved schedule (unit `i` goes to thread `i % threads`). `body` must only write disjoint memory.
    public static func forEach(_ count: Int, _ body: (Int) -> Void) {
        let threads = min(threadCount, count)
        if threads <= 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UnsafeSendableBox(body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var i = t
                while i < count {
                    box.value(i)
                    i += threads
                }
            }
        }
    }
}

/// Wraps a value for use from `concurrentPerform`; the callers guarantee disjoint writes.
struct UnsafeSendableBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
