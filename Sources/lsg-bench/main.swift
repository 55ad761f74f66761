// lsg-bench: GEMM throughput and LSG forward times on a roberta-base-shaped random model.
import Foundation
import LSGRuntime

let arguments = CommandLine.arguments.dropFirst()
if arguments.isEmpty || arguments.contains("gemm") {
    print("GEMM (C = A·Bᵀ + bias), median of 5, GFLOP/s")
    print("| m x k x n | 1 thread | 2 threads |")
    print("|---|---|---|")
    for (m, k, n) in [(4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768)] {
        let bench = GEMMBenchmark(m: m, n: n, k: k)
        let one = bench.gflops(threads: 1)
        let two = bench.gflops(threads: 2)
        print("| \(m)x\(k)x\(n) | \(String(format: "%.1f", one)) | \(String(format: "%.1f", two)) |")
    }
}
