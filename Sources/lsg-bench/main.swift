// lsg-bench: GEMM throughput and LSG forward times on a roberta-base-shaped random model.
//
//   swift build -c release --product lsg-bench && .build/release/lsg-bench [gemm] [forward] [--runs N]
import Dispatch
import Foundation
import LSGRuntime

let arguments = Array(CommandLine.arguments.dropFirst())
let runs = arguments.firstIndex(of: "--runs").flatMap { Int(arguments[$0 + 1]) } ?? 3
let lengths = arguments.firstIndex(of: "--lengths").map { arguments[$0 + 1].split(separator: ",").compactMap { Int($0) } }
    ?? [512, 1024, 2048, 4096]
let all = !arguments.contains("gemm") && !arguments.contains("forward")
if arguments.contains("--no-pack-a") { GEMM.packA = false }

func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

if all || arguments.contains("gemm") {
    print("GEMM (C = A·Bᵀ + bias, B = PyTorch [out, in]), median of 5, GFLOP/s")
    print("| m x k x n | 1 thread | 2 threads |")
    print("|---|---|---|")
    for (m, k, n) in [(4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768)] {
        let bench = GEMMBenchmark(m: m, n: n, k: k)
        let one = bench.gflops(threads: 1)
        let two = bench.gflops(threads: 2)
        print("| \(m)x\(k)x\(n) | \(String(format: "%.1f", one)) | \(String(format: "%.1f", two)) |")
    }
    Parallel.threadCount = ProcessInfo.processInfo.activeProcessorCount
}

if all || arguments.contains("forward") {
    let shape = RandomModel()
    print("\nForward pass, roberta-base shape, MLM head, batch 1, \(Parallel.threadCount) threads, median of \(runs) after a warm-up")
    print("| model | tokens | seconds | ms / token |")
    print("|---|---|---|---|")
    var rng = SplitMix64(seed: 3)
    func ids(_ n: Int) -> [Int64] { (0..<n).map { $0 == 0 ? 0 : ($0 == n - 1 ? 2 : Int64(4 + rng.next() % 50000)) } }
    for lsg in [true, false] {
        let config = try ModelConfig(json: shape.config(lsg: lsg))
        let model = try RuntimeModel(config: config, weights: WeightStore(sources: [shape.weights(lsg: lsg)]))
        for n in (lsg ? lengths : [512]) {
            let input = ids(n)
            var times: [Double] = []
            for run in 0...runs {
                let t = try seconds { _ = try model.forward(inputIds: input, shape: [1, n]) }
                if run > 0 { times.append(t) }
            }
            let m = median(times)
            for (label, total) in PhaseTimer.report() {
                print("    \(label): \(String(format: "%.2f", total / Double(runs + 1))) s")
            }
            print("| \(lsg ? "LSG 128/128/2 norm" : "RoBERTa") | \(n) | \(String(format: "%.2f", m)) | \(String(format: "%.2f", m * 1000 / Double(n))) |")
        }
    }
}
