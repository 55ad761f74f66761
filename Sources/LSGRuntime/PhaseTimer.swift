// Optional per-phase wall-clock totals (LSG_PROFILE=1), for the benchmark's breakdown.
import Dispatch
import Foundation

/// Accumulates wall time per phase of the forward pass when `LSG_PROFILE` is set.
public enum PhaseTimer {
    static let enabled = ProcessInfo.processInfo.environment["LSG_PROFILE"] != nil
    nonisolated(unsafe) private static var totals: [String: Double] = [:]
    private static let lock = NSLock()

    @inline(__always)
    static func measure<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
        guard enabled else { return try body() }
        let start = DispatchTime.now().uptimeNanoseconds
        let result = try body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        lock.lock(); totals[label, default: 0] += seconds; lock.unlock()
        return result
    }

    /// The totals so far, largest first, and resets them.
    public static func report() -> [(String, Double)] {
        lock.lock(); defer { totals = [:]; lock.unlock() }
        return totals.sorted { $0.value > $1.value }
    }
}
