// The machine's measured FMA peak: the ceiling the GEMM figures are read against.
import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Runs a register-only loop of independent `SIMD16<Float>` fused multiply-adds on each thread.
enum FMAPeak {
    /// GFLOP/s (2 flops per lane per FMA) of `threads` threads running together: per wall second, and
    /// per CPU-second of each thread (the per-core peak, readable when other jobs share the cores).
    static func measure(threads: Int, iterations: Int = 40_000_000) -> (wall: Double, perCPUSecond: Double) {
        _ = loop(iterations / 20, 1.0001)                          // warm-up (clock ramp)
        let start = DispatchTime.now().uptimeNanoseconds
        let cpu = UnsafeMutablePointer<Double>.allocate(capacity: threads)
        defer { cpu.deallocate() }
        nonisolated(unsafe) let cpuTimes = cpu
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let c0 = threadCPUSeconds()
            _ = loop(iterations, 1.0001 + Float(t) * 1e-6)
            cpuTimes[t] = threadCPUSeconds() - c0
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let flopPerThread = Double(iterations) * 12 * 16 * 2
        let cpuTotal = (0..<threads).reduce(0.0) { $0 + cpu[$1] }
        return (Double(threads) * flopPerThread / seconds / 1e9, Double(threads) * flopPerThread / cpuTotal / 1e9)
    }

    static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// 12 independent accumulators: enough to cover a 4-cycle FMA latency on 2 ports (8 in flight).
    @inline(never)
    static func loop(_ iterations: Int, _ scale: Float) -> Float {
        let b = SIMD16<Float>(repeating: scale), c = SIMD16<Float>(repeating: 1e-7)
        var a0 = SIMD16<Float>(repeating: 0.1), a1 = a0 + 1, a2 = a0 + 2, a3 = a0 + 3, a4 = a0 + 4, a5 = a0 + 5
        var a6 = a0 + 6, a7 = a0 + 7, a8 = a0 + 8, a9 = a0 + 9, a10 = a0 + 10, a11 = a0 + 11
        for _ in 0..<iterations {
            a0 = a0.addingProduct(b, c); a1 = a1.addingProduct(b, c); a2 = a2.addingProduct(b, c)
            a3 = a3.addingProduct(b, c); a4 = a4.addingProduct(b, c); a5 = a5.addingProduct(b, c)
            a6 = a6.addingProduct(b, c); a7 = a7.addingProduct(b, c); a8 = a8.addingProduct(b, c)
            a9 = a9.addingProduct(b, c); a10 = a10.addingProduct(b, c); a11 = a11.addingProduct(b, c)
        }
        let s = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11
        return s.sum()
    }
}
