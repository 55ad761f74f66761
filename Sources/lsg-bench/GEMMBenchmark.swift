// GEMM throughput at the roberta-base shapes.
import Foundation
import LSGRuntime

/// Measures `GEMM.multiply` (C = A·Bᵀ + bias, B as PyTorch `[out, in]`) at a given shape.
struct GEMMBenchmark {
    let m: Int, n: Int, k: Int

    /// Median GFLOP/s over `runs` timed runs after one warm-up (wall clock, and per CPU-second).
    func gflops(threads: Int, runs: Int = 5) -> (wall: Double, perCPUSecond: Double) {
        Parallel.threadCount = threads
        var rng = SplitMix64(seed: 42)
        let a = (0..<(m * k)).map { _ in rng.nextFloat() - 0.5 }
        let b = (0..<(n * k)).map { _ in rng.nextFloat() - 0.5 }
        let bias = (0..<n).map { _ in rng.nextFloat() }
        var c = [Float](repeating: 0, count: m * n)
        var times: [Double] = [], cpuTimes: [Double] = []
        for run in 0...runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpu0 = cpuSeconds()
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    bias.withUnsafeBufferPointer { pbias in
                        c.withUnsafeMutableBufferPointer { pc in
                            GEMM.multiply(m: m, n: n, k: k, a: pa.baseAddress!, lda: k, b: pb.baseAddress!, ldb: k,
                                          layout: .transposed, c: pc.baseAddress!, ldc: n, bias: pbias.baseAddress!)
                        }
                    }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if run > 0 { times.append(seconds); cpuTimes.append(cpuSeconds() - cpu0) }
        }
        let flop = 2.0 * Double(m) * Double(n) * Double(k)
        return (flop / median(times) / 1e9, flop / median(cpuTimes) / 1e9)
    }
}

/// Small deterministic generator for benchmark data.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return z ^ (z >> 31)
    }
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
