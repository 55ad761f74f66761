// lsg-bench: conversion and inference of a roberta-base-shaped random model, ours beside the Python
// reference, plus the GEMM against the measured FMA peak (issue 5). See docs/benchmarks.md.
//
//   swift build -c release && .build/release/lsg-bench [--quick] [--runs N] [--write-docs]
//   .build/release/lsg-bench gemm | convert | forward | reference | tokenize   (only these sections)
//   LSG_PROFILE=1 .build/release/lsg-bench profile --lengths 4096      (in-process forward, per phase)
import CheckpointIO
import Dispatch
import Foundation
import LSGRuntime
import Tokenization

let arguments = Array(CommandLine.arguments.dropFirst())
let knownFlags: Set<String> = ["--quick", "--write-docs", "--no-reference", "--no-16k", "--no-pack-a", "--regenerate",
                               "gemm", "convert", "forward", "verify", "fillmask", "inprocess", "reference", "profile", "tokenize",
                               "generate-data", "inprocess-forward"]
let valueOptions: Set<String> = ["--runs", "--lengths", "--data", "--model", "--tokens", "--result"]
if arguments.contains("--help") || arguments.contains("-h") {
    print("""
        usage: lsg-bench [--quick] [--runs N] [--lengths 512,4096] [--write-docs] [--no-reference] [--no-16k]
                         [gemm] [convert] [forward] [verify] [fillmask] [inprocess] [reference] [profile] [tokenize]
        Times conversion, the forward pass and the GEMM on a roberta-base-shaped random model, beside the
        Python reference when its environment exists; see docs/benchmarks.md.
        """)
    exit(0)
}
do {
    // Refuse unknown arguments: a typo must not start a 10-minute run.
    var i = 0
    while i < arguments.count {
        let argument = arguments[i]
        if valueOptions.contains(argument) { i += 2; continue }
        guard knownFlags.contains(argument) else {
            FileHandle.standardError.write(Data("lsg-bench: unknown argument '\(argument)' (see --help)\n".utf8))
            exit(64)
        }
        i += 1
    }
}
func option(_ name: String) -> String? { arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil } }
let quick = arguments.contains("--quick")
let runs = option("--runs").flatMap(Int.init) ?? (quick ? 1 : 3)
let lengths = option("--lengths").map { $0.split(separator: ",").compactMap { Int($0) } }
    ?? (quick ? [512, 4096] : [512, 1024, 2048, 4096])
let sections = ["gemm", "convert", "forward", "verify", "fillmask", "inprocess", "reference", "profile", "tokenize"].filter(arguments.contains)
func wants(_ section: String) -> Bool { sections.isEmpty ? section != "profile" : sections.contains(section) }
if arguments.contains("--no-pack-a") { GEMM.packA = false }

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? .nan : s[s.count / 2] }

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

/// The load averages (1, 5, 15 minutes): other jobs on the machine.
func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
}
func load1() -> String { String(loadAverage().split(separator: " ").first ?? "?") }

func f(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

/// Everything printed is also collected for docs/benchmarks.md.
nonisolated(unsafe) var report: [String] = []
func out(_ line: String = "") { FileHandle.standardOutput.write(Data((line + "\n").utf8)); report.append(line) }

// MARK: - Paths

let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
let buildFolder = executable.deletingLastPathComponent()
let lsgConvert = buildFolder.appendingPathComponent("lsg-convert").path
let dataRoot = URL(fileURLWithPath: option("--data") ?? ".build-bench-data", isDirectory: true).standardizedFileURL
let logPath = dataRoot.appendingPathComponent("bench.log").path
let checkpoint = BenchCheckpoint(root: dataRoot.appendingPathComponent("roberta-base-random"))
let fm = FileManager.default

func oraclePython() -> String? {
    var candidates = [ProcessInfo.processInfo.environment["LSG_ORACLE_PYTHON"], ".venv-oracle/bin/python",
                      "../main/.venv-oracle/bin/python", "/work/main/.venv-oracle/bin/python"].compactMap { $0 }
    if arguments.contains("--no-reference") { candidates = [] }
    return candidates.first { fm.isExecutableFile(atPath: $0) }
}
let referenceScript = "scripts/bench_reference.py"

/// The token ids both sides use: <s>, a deterministic stream in [4, 50004), </s> (as scripts/bench_reference.py).
func tokenIDs(_ n: Int) -> [Int64] {
    var ids: [Int64] = [0]
    var state: UInt64 = 12345
    for _ in 0..<(n - 2) {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        ids.append(Int64(4 + (state >> 33) % 50000))
    }
    ids.append(2)
    return ids
}

func inputsFile(_ n: Int) throws -> String {
    let path = dataRoot.appendingPathComponent("inputs-\(n).safetensors").path
    if !fm.fileExists(atPath: path) {
        let ids = tokenIDs(n)
        try SafetensorsWriter.write([SafetensorsWriter.Entry(info: TensorInfo(name: "input_ids", dtype: .i64, shape: [1, n])) {
            try $0.write(contentsOf: ids)
        }], to: path)
    }
    return path
}

/// Lengths converted by this run: a folder left by an earlier build may lack what the current
/// `verify` checks (e.g. the modeling file), so each run converts once with its own binary.
nonisolated(unsafe) var convertedThisRun: Set<Int> = []

/// The converted LSG model (from the safetensors source) the forward runs use.
func lsgModel(_ maxLen: Int) throws -> String {
    let path = dataRoot.appendingPathComponent("lsg-\(maxLen)").path
    if !convertedThisRun.contains(maxLen) {
        convertedThisRun.insert(maxLen)
        let r = try ChildRun.run([lsgConvert, "convert", checkpoint.safetensorsFolder.path, "-o", path, "--max-len", "\(maxLen)",
                                  "--force", "--no-verify", "-q"], logPath: logPath)
        guard r.status == 0 else { throw BenchError("conversion to \(maxLen) failed; see \(logPath)") }
    }
    return path
}

func memAvailableGiB() -> Double {
    let text = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix("MemAvailable:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024 / 1024
}

func cpuModel() -> String {
    let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
    return line.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "?"
}

// MARK: - Run

try fm.createDirectory(at: dataRoot, withIntermediateDirectories: true)
if arguments.first == "generate-data" {
    _ = try checkpoint.generate(regenerate: arguments.contains("--regenerate"))
    exit(0)
}
if arguments.first == "inprocess-forward" {
    // Child mode: the in-process forward of a mapped model folder (no output file), after a warm-up.
    guard let path = option("--model"), let n = option("--tokens").flatMap(Int.init), let result = option("--result") else {
        throw BenchError("inprocess-forward needs --model, --tokens and --result")
    }
    let model = try RuntimeModel(folder: path)
    let input = tokenIDs(n)
    var times: [Double] = [], cpu: [Double] = []
    for run in 0...runs {
        let t = try seconds { _ = try model.forward(inputIds: input, shape: [1, n]) }
        if run > 0 { times.append(t.wall); cpu.append(t.cpu) }
    }
    try "\(median(times)) \(median(cpu))\n".write(toFile: result, atomically: true, encoding: .utf8)
    exit(0)
}

let startLoad = loadAverage()
let startDate = Date()
out("## Measured \(ISO8601DateFormatter().string(from: startDate))")
out()
out("Machine: \(cpuModel()), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(f(Double(ProcessInfo.processInfo.physicalMemory) / 1073741824, 1)) GiB; load average at start \(startLoad).")
out("Command: `lsg-bench \(arguments.joined(separator: " "))`; medians of \(runs) run(s) after a warm-up; whole-process figures are child processes measured with wait4 (wall, user+sys CPU, peak RSS).")
out()

if wants("convert") || wants("forward") || wants("verify") || wants("fillmask") || wants("inprocess") || wants("reference") {
    guard fm.isExecutableFile(atPath: lsgConvert) else {
        throw BenchError("\(lsgConvert) not found: build it first (swift build -c release)")
    }
    // Generated in a child process: Linux gives an exec'd child the parent's peak RSS as its starting
    // ru_maxrss (the old mm's high-water mark), so this process must stay small while it spawns the
    // measured runs. For the same reason the in-process GEMM and profile sections run last.
    let start = Date()
    var generate = [executable.path, "generate-data", "--data", dataRoot.path]
    if arguments.contains("--regenerate") { generate.append("--regenerate") }
    let r = try ChildRun.run(generate, logPath: logPath)
    guard r.status == 0 else { throw BenchError("generating the checkpoint failed; see \(logPath)") }
    let seconds = Date().timeIntervalSince(start)
    FileHandle.standardOutput.write(Data("(source checkpoint ready in \(f(seconds)) s: \(checkpoint.root.path))\n".utf8))
}

/// Reference results by key, for the ratios.
var ours: [String: RunSummary] = [:]
var reference: [String: RunSummary] = [:]
/// (wall, cpu) seconds of the in-process 4096-token forward.
var inProcessForward: (wall: Double, cpu: Double)?

func row(_ label: String, _ s: RunSummary, extra: String = "") -> String {
    "| \(label) | \(f(s.wall)) | \(f(s.cpu)) | \(f(s.rss, 0)) |\(extra) \(load1()) |"
}

if wants("convert") {
    out("### Conversion to 4096 (whole process: `lsg-convert convert SRC -o OUT --max-len 4096 --force -q ...`)")
    out()
    out("| source, flags | wall s | CPU s | peak RSS MiB | load |")
    out("|---|---|---|---|---|")
    let output = dataRoot.appendingPathComponent("convert-out").path
    let variants: [(String, URL, [String])] = [
        ("safetensors, default flags (sha256 of the source + quick end-of-run verification)", checkpoint.safetensorsFolder, []),
        ("safetensors, --no-verify", checkpoint.safetensorsFolder, ["--no-verify"]),
        ("safetensors, --no-verify --no-source-hash", checkpoint.safetensorsFolder, ["--no-verify", "--no-source-hash"]),
        ("torch zip, --no-verify", checkpoint.torchFolder, ["--no-verify"]),
        ("torch zip, --no-verify --no-source-hash", checkpoint.torchFolder, ["--no-verify", "--no-source-hash"]),
    ]
    for (index, (label, source, flags)) in variants.enumerated() {
        let s = try RunSummary.measure([lsgConvert, "convert", source.path, "-o", output, "--max-len", "4096", "--force", "-q"] + flags,
                                       runs: runs, logPath: logPath, before: { try? fm.removeItem(atPath: output) })
        if index == 0 { ours["convert-default"] = s }
        if index == 1 { ours["convert"] = s }
        out(row(label, s))
    }
    try? fm.removeItem(atPath: output)
    out()
}

if wants("forward") {
    out("### Forward with the MLM head, batch 1 (whole process: `lsg-convert infer MODEL --inputs ids.safetensors --output out.safetensors`)")
    out()
    out("Each run loads the model (mapped), runs the forward and writes `last_hidden_state` and the logits (tokens x 50265 float32) to a file.")
    out()
    out("| model | tokens | wall s | CPU s | peak RSS MiB | wall ms / token | CPU ms / token | load |")
    out("|---|---|---|---|---|---|---|---|")
    let lsg = try lsgModel(4096)
    let output = dataRoot.appendingPathComponent("infer-out.safetensors").path
    func measure(_ model: String, _ n: Int, runs: Int, warmup: Int = 1) throws -> RunSummary {
        try RunSummary.measure([lsgConvert, "infer", model, "--inputs", try inputsFile(n), "--output", output, "--overwrite"],
                               runs: runs, warmup: warmup, logPath: logPath, before: { try? fm.removeItem(atPath: output) })
    }
    for n in lengths {
        let s = try measure(lsg, n, runs: runs)
        ours["lsg-\(n)"] = s
        out("| LSG 128/128/2 norm | \(n) | \(f(s.wall)) | \(f(s.cpu)) | \(f(s.rss, 0)) | \(f(1000 * s.wall / Double(n))) | \(f(1000 * s.cpu / Double(n))) | \(load1()) |")
    }
    if !quick && !arguments.contains("--no-16k") {
        // 16384 tokens: the logits alone are 3.3 GB (in memory and written); one run, no warm-up.
        if memAvailableGiB() > 10 {
            let lsg16 = try lsgModel(16384)
            let s = try measure(lsg16, 16384, runs: 1, warmup: 0)
            out("| LSG 128/128/2 norm (16386 positions) | 16384 | \(f(s.wall)) | \(f(s.cpu)) | \(f(s.rss, 0)) | \(f(1000 * s.wall / 16384)) | \(f(1000 * s.cpu / 16384)) | \(load1()) |")
        } else {
            out("| LSG 16384 | skipped: less than 10 GiB available | | | | | | |")
        }
    }
    let s = try measure(checkpoint.safetensorsFolder.path, 512, runs: runs)
    ours["roberta-512"] = s
    out("| RoBERTa (source model) | 512 | \(f(s.wall)) | \(f(s.cpu)) | \(f(s.rss, 0)) | \(f(1000 * s.wall / 512)) | \(f(1000 * s.cpu / 512)) | \(load1()) |")
    try? fm.removeItem(atPath: output)
    out()
}

/// The long fill-mask text: one `<mask>`, then a sentence repeated; the bench tokenizer has no merges,
/// so every character is a token (3946 tokens with <s> and </s>, under the 4096 maximum).
let fillMaskText = "The goal of life is <mask>. " + String(repeating: "Long documents need long context models and the quick brown fox jumps over the lazy dog. ", count: 44)
let fillMaskTokens = fillMaskText.utf8.count - "<mask>".utf8.count + 1 + 2

if wants("verify") || wants("fillmask") || wants("inprocess") {
    out("### verify, fill-mask and the in-process forward (the LSG 4096 conversion of the safetensors source)")
    out()
    out("| operation | wall s | CPU s | peak RSS MiB | load |")
    out("|---|---|---|---|---|")
    let lsg = try lsgModel(4096)
    if wants("verify") {
        // All checks (5a 16 + 256 tokens, 5b 64 + 512, 5c 4096 without the decoder); no warm-up: the
        // page cache is warm from the conversion.
        let s = try RunSummary.measure([lsgConvert, "verify", lsg], runs: quick ? 1 : 2, warmup: 0, logPath: logPath)
        ours["verify"] = s
        out(row("`lsg-convert verify` (all checks, default lengths)", s))
    }
    if wants("fillmask") {
        let s = try RunSummary.measure([lsgConvert, "fill-mask", lsg, fillMaskText, "--json"], runs: runs, logPath: logPath)
        ours["fillmask"] = s
        out(row("`lsg-convert fill-mask` on a \(fillMaskTokens)-token text, one mask", s))
    }
    if wants("inprocess") {
        // In a child process too (see the measurement note on ru_maxrss); its own timer, no output file.
        let result = dataRoot.appendingPathComponent("inprocess.txt").path
        let child = try RunSummary.measure([executable.path, "inprocess-forward", "--data", dataRoot.path, "--model", lsg,
                                            "--tokens", "4096", "--result", result, "--runs", "\(runs)"],
                                           runs: 1, warmup: 0, logPath: logPath)
        let fields = ((try? String(contentsOfFile: result, encoding: .utf8)) ?? "").split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        if fields.count == 2 {
            inProcessForward = (fields[0], fields[1])
            out("| in-process LSG forward + MLM head, 1 x 4096 (model mapped, no output file; median of \(runs) after a warm-up) | \(f(fields[0])) | \(f(fields[1])) | \(f(child.rss, 0)) (the process) | \(load1()) |")
        }
    }
    out()
}

if wants("reference") {
    if let python = oraclePython(), fm.fileExists(atPath: referenceScript) {
        out("### The Python reference on the same model (`\(referenceScript)`, lsg-converter 0.1.9, transformers 4.36.2, torch CPU fp32, 2 threads)")
        out()
        let env = ["HF_HUB_OFFLINE": "1", "LSG_BENCH_THREADS": "2"]
        let refOut = dataRoot.appendingPathComponent("reference-lsg-4096").path
        let refLog = dataRoot.appendingPathComponent("reference.log").path
        var rows: [(String, String, String)] = []     // (operation, ours key, reference key)
        let convert = try RunSummary.measure([python, referenceScript, "convert", checkpoint.safetensorsFolder.path, refOut, "4096"],
                                             runs: runs, environment: env, logPath: refLog)
        reference["convert"] = convert
        rows.append(("conversion to 4096, our default flags (sha256 + quick verification)", "convert-default", "convert"))
        rows.append(("conversion to 4096, ours with --no-verify (sha256 only)", "convert", "convert"))
        let refN = quick ? [4096] : [4096]
        for n in refN {
            reference["lsg-\(n)"] = try RunSummary.measure([python, referenceScript, "lsg", refOut, "\(n)"],
                                                           runs: runs, environment: env, logPath: refLog)
            rows.append(("LSG forward + MLM head, 1 x \(n)", "lsg-\(n)", "lsg-\(n)"))
        }
        reference["roberta-512"] = try RunSummary.measure([python, referenceScript, "roberta", checkpoint.safetensorsFolder.path, "512"],
                                                          runs: runs, environment: env, logPath: refLog)
        rows.append(("RoBERTa forward + MLM head, 1 x 512", "roberta-512", "roberta-512"))
        if wants("fillmask") {
            // pipeline("fill-mask") costs ~35 s per run here: one run, no warm-up.
            let textFile = dataRoot.appendingPathComponent("fill-mask-text.txt").path
            try fillMaskText.write(toFile: textFile, atomically: true, encoding: .utf8)
            reference["fillmask"] = try RunSummary.measure([python, referenceScript, "fillmask", refOut, textFile],
                                                           runs: 1, warmup: 0, environment: env, logPath: refLog)
            rows.append(("fill-mask, \(fillMaskTokens)-token text, one mask (reference: 1 run)", "fillmask", "fillmask"))
        }
        /// Median in-process seconds the script printed (last `runs` JSON lines of `mode`).
        func inProcess(_ mode: String) -> String {
            let lines = ((try? String(contentsOfFile: refLog, encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { $0.hasPrefix("{\"mode\": \"\(mode)\"") }.suffix(runs)
            let values = lines.compactMap { line -> Double? in
                guard let r = line.range(of: "\"seconds\": ") else { return nil }
                return Double(line[r.upperBound...].dropLast())
            }
            return values.isEmpty ? "?" : f(median(values))
        }
        let modes = ["convert": "convert", "lsg-4096": "lsg", "roberta-512": "roberta", "fillmask": "fillmask"]
        out("| operation (whole process) | reference wall s (in-process part) | reference CPU s | reference peak RSS MiB | ours wall s | ours CPU s | ours peak RSS MiB | wall ratio | CPU ratio | RSS ratio |")
        out("|---|---|---|---|---|---|---|---|---|---|")
        for (label, o, r) in rows {
            let ref = reference[r]!
            if let us = ours[o] {
                out("| \(label) | \(f(ref.wall)) (\(inProcess(modes[r] ?? r))) | \(f(ref.cpu)) | \(f(ref.rss, 0)) | \(f(us.wall)) | \(f(us.cpu)) | \(f(us.rss, 0)) | \(f(ref.wall / us.wall, 1))x | \(f(ref.cpu / us.cpu, 1))x | \(f(ref.rss / us.rss, 1))x |")
            } else {
                out("| \(label) | \(f(ref.wall)) (\(inProcess(modes[r] ?? r))) | \(f(ref.cpu)) | \(f(ref.rss, 0)) | (not run) | | | | | |")
            }
        }
        out()
        if let r = reference["convert"], let d = ours["convert-default"] {
            out("Issue 14 target, default conversion: >= 5x faster and >= 6x lighter than the reference's whole process: \(f(r.wall / d.wall, 1))x wall, \(f(r.cpu / d.cpu, 1))x CPU, \(f(r.rss / d.rss, 1))x peak RSS.")
            out()
        }
        out("Ratios are reference / ours (higher = ours faster or lighter). In parentheses: the seconds of the operation itself inside the Python process (without interpreter start, imports and model load). Ours always includes loading the model and, for `infer`, writing last_hidden_state and the logits (824 MB at 4096 tokens) to a file, which the reference does not do. Load average after the reference runs: \(loadAverage()).")
        out()
    } else {
        out("### The Python reference: skipped (no `.venv-oracle`/`LSG_ORACLE_PYTHON` with lsg-converter, or `--no-reference`)")
        out()
    }
}

if wants("gemm") {
    let peak1 = FMAPeak.measure(threads: 1), peak2 = FMAPeak.measure(threads: 2)
    let corePeak = max(peak1.perCPUSecond, peak2.perCPUSecond)
    out("### GEMM C = A·Bᵀ + bias (B in PyTorch [out, in] layout), in process, median of 5 after a warm-up")
    out()
    out("FMA peak measured now (register-only SIMD16 FMA loop per thread): \(f(peak1.wall, 1)) GFLOP/s on 1 thread, \(f(peak2.wall, 1)) on 2 threads (wall); \(f(corePeak, 1)) GFLOP per CPU-second of one core. \"Per CPU-s\" figures divide by the process CPU time, so they show the code's efficiency even when other jobs take part of the cores.")
    out()
    out("| m x k x n | 1 thread GFLOP/s | 1 thread per CPU-s | 2 threads GFLOP/s | 2 threads per CPU-s | per CPU-s / core peak (1 / 2 threads) | load |")
    out("|---|---|---|---|---|---|---|")
    for (m, k, n) in [(4096, 768, 768), (4096, 768, 3072), (4096, 3072, 768)] {
        let bench = GEMMBenchmark(m: m, n: n, k: k)
        let one = bench.gflops(threads: 1)
        let two = bench.gflops(threads: 2)
        out("| \(m)x\(k)x\(n) | \(f(one.wall, 1)) | \(f(one.perCPUSecond, 1)) | \(f(two.wall, 1)) | \(f(two.perCPUSecond, 1)) | \(f(100 * one.perCPUSecond / corePeak, 0)) % / \(f(100 * two.perCPUSecond / corePeak, 0)) % | \(load1()) |")
    }
    Parallel.threadCount = ProcessInfo.processInfo.activeProcessorCount
    out()
}

if wants("profile") {
    // In-process forward of the in-memory random model: set LSG_PROFILE=1 for per-phase times.
    let shape = RandomModel()
    out("### In-process forward (no load, no output file), MLM head, batch 1, \(Parallel.threadCount) threads, median of \(runs) after a warm-up")
    out()
    out("| model | tokens | wall s | CPU s (all threads) | ms / token (wall) | load |")
    out("|---|---|---|---|---|---|")
    for lsg in [true, false] {
        let config = try ModelConfig(json: shape.config(lsg: lsg))
        let model = try RuntimeModel(config: config, weights: WeightStore(sources: [shape.weights(lsg: lsg)]))
        for n in (lsg ? lengths : [512]) {
            let input = tokenIDs(n)
            var times: [Double] = [], cpu: [Double] = []
            for run in 0...runs {
                let t = try seconds { _ = try model.forward(inputIds: input, shape: [1, n]) }
                if run > 0 { times.append(t.wall); cpu.append(t.cpu) }
            }
            for (label, total) in PhaseTimer.report() {
                print("    \(label): \(f(total / Double(runs + 1))) s")
            }
            let m = median(times)
            out("| \(lsg ? "LSG 128/128/2 norm" : "RoBERTa") | \(n) | \(f(m)) | \(f(median(cpu))) | \(f(m * 1000 / Double(n))) | \(load1()) |")
        }
    }
    out()
}

if wants("tokenize") {
    try TokenizeBenchmark(dataRoot: dataRoot, runs: runs, python: oraclePython(), script: referenceScript, logPath: logPath).run()
}

if ours["verify"] != nil || inProcessForward != nil {
    out("### Issue 14 ratios within this run")
    out()
    if let v = ours["verify"], let i = ours["lsg-4096"] {
        out("- verify / one `infer` at 4096 (target <= 2x, <= 1024 MiB): \(f(v.wall / i.wall, 2))x wall, \(f(v.cpu / i.cpu, 2))x CPU; peak RSS \(f(v.rss, 0)) MiB.")
    }
    if let p = inProcessForward, let i = ours["lsg-4096"] {
        out("- `infer` whole process / in-process forward at 4096 (target <= 1.25x): \(f(i.wall / p.wall, 2))x wall, \(f(i.cpu / p.cpu, 2))x CPU.")
    }
    out()
}

out("Load average at the end: \(loadAverage()); total bench time \(f(Date().timeIntervalSince(startDate), 0)) s.")

if arguments.contains("--write-docs") {
    // Replace the generated section of docs/benchmarks.md (between the markers), keep the analysis.
    let path = option("--docs") ?? "docs/benchmarks.md"
    let begin = "<!-- lsg-bench:begin -->", end = "<!-- lsg-bench:end -->"
    var text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? "# Benchmarks\n\n\(begin)\n\(end)\n"
    if let b = text.range(of: begin), let e = text.range(of: end), b.upperBound <= e.lowerBound {
        text.replaceSubrange(b.upperBound..<e.lowerBound, with: "\n" + report.joined(separator: "\n") + "\n")
    } else {
        text += "\n\(begin)\n\(report.joined(separator: "\n"))\n\(end)\n"
    }
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    print("wrote \(path)")
}
