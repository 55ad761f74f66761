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

/// Process CPU time (all threads), to read the numbers on a machine shared with other jobs.
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// (wall, cpu) seconds of `body`.
func seconds(_ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
    let start = DispatchTime.now().uptimeNanoseconds
    let cpu0 = cpuSeconds()
    try body()
    return (Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpuSeconds() - cpu0)
}

/// The 1-minute load average (other jobs on the machine).
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
}

if all || arguments.contains("gemm") {
    print("GEMM (C = A·Bᵀ + bias, B = PyTorch [out, in]), median of 5, GFLOP/s (wall) and GFLOP per CPU-second")
    print("| m x k x n | 1 thread | 2 threads | 1 thread per CPU-s | 2 threads per CPU-s | load avg |")
    print("|---|---|---|---|---|---|")
    for (m, k, n) in [(4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768)] {
        let bench = GEMMBenchmark(m: m, n: n, k: k)
        let one = bench.gflops(threads: 1)
        let two = bench.gflops(threads: 2)
        let f = { (x: Double) in String(format: "%.1f", x) }
        print("| \(m)x\(k)x\(n) | \(f(one.wall)) | \(f(two.wall)) | \(f(one.perCPUSecond)) | \(f(two.perCPUSecond)) | \(loadAverage()) |")
    }
    Parallel.threadCount = ProcessInfo.processInfo.activeProcessorCount
}

if all || arguments.contains("forward") {
    let shape = RandomModel()
    print("\nForward pass, roberta-base shape, MLM head, batch 1, \(Parallel.threadCount) threads, median of \(runs) after a warm-up")
    print("| model | tokens | wall s | CPU s (all threads) | ms / token (wall) | load avg |")
    print("|---|---|---|---|---|---|")
    var rng = SplitMix64(seed: 3)
    func ids(_ n: Int) -> [Int64] { (0..<n).map { $0 == 0 ? 0 : ($0 == n - 1 ? 2 : Int64(4 + rng.next() % 50000)) } }
    for lsg in [true, false] {
        let config = try ModelConfig(json: shape.config(lsg: lsg))
        let model = try RuntimeModel(config: config, weights: WeightStore(sources: [shape.weights(lsg: lsg)]))
        for n in (lsg ? lengths : [512]) {
            let input = ids(n)
            var times: [Double] = [], cpu: [Double] = []
            for run in 0...runs {
                let t = try seconds { _ = try model.forward(inputIds: input, shape: [1, n]) }
                if run > 0 { times.append(t.wall); cpu.append(t.cpu) }
            }
            let m = median(times)
            for (label, total) in PhaseTimer.report() {
                print("    \(label): \(String(format: "%.2f", total / Double(runs + 1))) s")
            }
            print("| \(lsg ? "LSG 128/128/2 norm" : "RoBERTa") | \(n) | \(String(format: "%.2f", m)) | \(String(format: "%.2f", median(cpu))) | \(String(format: "%.2f", m * 1000 / Double(n))) | \(loadAverage()) |")
        }
    }
}
