import ArgumentParser
import CheckpointIO
import LSGRuntime

/// Options of the commands that run the runtime (`infer`, `fill-mask`): load-time config overrides and
/// the kernel thread count.
struct RuntimeOptions: ParsableArguments {
    @Option(name: .customLong("set"), help: ArgumentHelp(
        "Override a config key at load, like from_pretrained(..., key=value): e.g. --set sparsity_type=pooling --set block_size=32. Repeatable.",
        valueName: "key=value"))
    var overrides: [String] = []

    @Option(help: "Threads for the kernels (default: all cores).")
    var threads: Int?

    func validate() throws {
        for item in overrides where ConfigOverride.parse(assignment: item) == nil {
            throw ValidationError("--set expects KEY=VALUE, got '\(item)'")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    /// Applies `--threads` and returns the `--set` overrides by key (the last one wins).
    func apply() -> [String: JSONValue] {
        if let threads { Parallel.threadCount = threads }
        var map: [String: JSONValue] = [:]
        for item in overrides {
            if let (key, value) = ConfigOverride.parse(assignment: item) { map[key] = value }
        }
        return map
    }
}
