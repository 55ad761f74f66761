// Whole-process measurements: wall time, CPU time and peak RSS of one child process.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One run of a child process, measured with `wait4` (its own `rusage`, not the sum of all children).
struct ChildRun {
    let wall: Double
    let user: Double
    let sys: Double
    /// Peak resident set size in MiB (`ru_maxrss`, KiB on Linux).
    let peakRSSMiB: Double
    let status: Int32
    var cpu: Double { user + sys }

    /// Runs `arguments[0]` with `arguments[1...]`; stdout and stderr go to `logPath` (appended).
    static func run(_ arguments: [String], environment extra: [String: String] = [:], logPath: String) throws -> ChildRun {
        var env = ProcessInfo.processInfo.environment
        for (k, v) in extra { env[k] = v }
        let envStrings = env.map { "\($0.key)=\($0.value)" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = envStrings.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let rc = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return ChildRun(wall: wall, user: seconds(usage.ru_utime), sys: seconds(usage.ru_stime),
                        peakRSSMiB: Double(usage.ru_maxrss) / 1024, status: exit)
    }
}

/// Medians of several `ChildRun`s.
struct RunSummary {
    let runs: [ChildRun]
    var wall: Double { median(runs.map(\.wall)) }
    var cpu: Double { median(runs.map(\.cpu)) }
    var rss: Double { median(runs.map(\.peakRSSMiB)) }
    var minWall: Double { runs.map(\.wall).min() ?? .nan }

    /// `warmup` unmeasured runs then `count` measured ones; a failing run is an error (log in `logPath`).
    static func measure(_ arguments: [String], runs count: Int, warmup: Int = 1, environment: [String: String] = [:],
                        logPath: String, before: () throws -> Void = {}) throws -> RunSummary {
        var results: [ChildRun] = []
        for i in 0..<(warmup + count) {
            try before()
            let r = try ChildRun.run(arguments, environment: environment, logPath: logPath)
            guard r.status == 0 else { throw BenchError("\(arguments.joined(separator: " ")) exited with \(r.status); see \(logPath)") }
            if i >= warmup { results.append(r) }
        }
        return RunSummary(runs: results)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
