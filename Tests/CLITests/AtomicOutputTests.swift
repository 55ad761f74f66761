import CheckpointIO
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Atomic output and hostile inputs, end to end with real `lsg-convert` processes (issue 6): an
/// existing output is never touched without `--force`; a `kill -9` mid-conversion leaves no output
/// and does not block the next run; unwritable and full destinations give one clear error line and
/// leave nothing behind; hostile torch files are refused (exit code 2) without running anything.
@Suite(.serialized) struct AtomicOutputTests {
    static let tiny = Fixtures.path("models/tiny-roberta-mlm")

    /// Entries of `parent` that a conversion to `parent/name` may leave: its temporary folder
    /// (`.name.tmp-<pid>`) or the old folder moved aside by `--force` (`.name.old-<pid>`).
    static func leftovers(in parent: URL, of name: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []).filter { $0.hasPrefix(".\(name).") }.sorted()
    }

    static func exists(_ url: URL) -> Bool { FileManager.default.fileExists(atPath: url.path) }

    /// Name -> contents of every file in `folder` (to prove it was not touched).
    static func snapshot(_ folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            files[name] = try Data(contentsOf: folder.appendingPathComponent(name))
        }
        return files
    }

    /// A one-line error as the CLI prints it: `lsg-convert: error: ...` and nothing else.
    static func expectOneLineError(_ result: CommandRunner.Result, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectOneLineError(exitCode: result.exitCode, stderr: result.stderr, containing: text, sourceLocation: sourceLocation)
    }

    static func expectOneLineError(exitCode: Int32, stderr: String, containing text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let result = (exitCode: exitCode, stderr: stderr)
        #expect(result.exitCode == 2, "exit \(result.exitCode): \(result.stderr)", sourceLocation: sourceLocation)
        let lines = result.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 1, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.hasPrefix("lsg-convert: error: "), "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr.contains(text), "expected `\(text)` in: \(result.stderr)", sourceLocation: sourceLocation)
    }

    /// A RoBERTa-shaped source bigger than the tiny fixture: the tiny model's tensor names with
    /// hidden 32 -> `hidden`, intermediate 64 -> `intermediate`, vocab 301 -> `vocab`, written
    /// through `SafetensorsWriter` with deterministic values, plus its config.json (sizes edited)
    /// and tokenizer files.
    static func makeSource(at folder: URL, hidden: Int, intermediate: Int, vocab: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let tinyFolder = URL(fileURLWithPath: tiny)
        let weights = try SafetensorsFile(path: tinyFolder.appendingPathComponent("model.safetensors").path)
        let scaled = [32: hidden, 64: intermediate, 301: vocab]
        var seed: UInt32 = 12345
        let entries = weights.tensorInfos.map { info -> SafetensorsWriter.Entry in
            let shape = info.shape.map { scaled[$0] ?? $0 }
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            for i in 0..<count {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                values[i] = (Float(seed >> 8) / Float(1 << 24) - 0.5) * 0.04
            }
            return SafetensorsWriter.Entry(name: info.name, shape: shape, floats: values)
        }
        try SafetensorsWriter.write(entries, to: folder.appendingPathComponent("model.safetensors").path)
        guard case .object(var pairs) = try ModelFolder.readJSON(tinyFolder.appendingPathComponent("config.json")) else {
            throw CheckpointError(.malformed, file: "config.json", "not an object")
        }
        let sizes = ["hidden_size": hidden, "intermediate_size": intermediate, "vocab_size": vocab]
        pairs = pairs.map { key, value in (key, sizes[key].map { .int(Int64($0)) } ?? value) }
        try Data(JSONValue.object(pairs).serialized(indent: 2, asciiOnly: false).utf8).write(to: folder.appendingPathComponent("config.json"))
        for name in try FileManager.default.contentsOfDirectory(atPath: tinyFolder.path) where name != "model.safetensors" && name != "config.json" {
            try FileManager.default.copyItem(at: tinyFolder.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
    }

    // MARK: - Existing output

    @Test func existingNonEmptyFolderIsUntouchedWithoutForce() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        let out = temp.url("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        try Data("precious\n".utf8).write(to: out.appendingPathComponent("keep.txt"))
        try Data("{}\n".utf8).write(to: out.appendingPathComponent("config.json"))
        let before = try Self.snapshot(out)
        let result = try CommandRunner.run([Self.tiny, "--max-len", "1024", "-o", out.path, "-q"])
        Self.expectOneLineError(result, containing: "exists and is not empty (use --force to replace it)")
        #expect(try Self.snapshot(out) == before)
        #expect(Self.leftovers(in: temp.url, of: "out").isEmpty)
    }

    @Test func existingFileIsNeverReplaced() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        let out = temp.url("out")
        try Data("a file\n".utf8).write(to: out)
        for force in [false, true] {
            let result = try CommandRunner.run([Self.tiny, "--max-len", "1024", "-o", out.path, "-q"] + (force ? ["--force"] : []))
            Self.expectOneLineError(result, containing: "exists and is not a folder")
            #expect(try Data(contentsOf: out) == Data("a file\n".utf8))
        }
        #expect(Self.leftovers(in: temp.url, of: "out").isEmpty)
    }

    @Test func forceReplacesAnExistingFolderWhole() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        let out = temp.url("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: false)
        try Data("old\n".utf8).write(to: out.appendingPathComponent("keep.txt"))
        let result = try CommandRunner.run([Self.tiny, "--max-len", "1024", "-o", out.path, "-q", "--force"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        // Replaced, not merged: the old file is gone, the new model is complete.
        #expect(!Self.exists(out.appendingPathComponent("keep.txt")))
        let weights = try SafetensorsFile(path: out.appendingPathComponent("model.safetensors").path)
        #expect(weights.info(named: "roberta.embeddings.position_embeddings.weight")?.shape == [1026, 32])
        #expect(Self.leftovers(in: temp.url, of: "out").isEmpty)
    }

    // MARK: - kill -9

    @Test func killNineMidConversionLeavesNoOutputAndDoesNotBlockTheNextRun() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        let source = temp.url("source")
        // ~3.4 MB of weights; `--random-global-init` then spends about a second (debug build) on
        // the word-embedding covariance (4000 x 128^2) inside the temporary folder's lifetime.
        try Self.makeSource(at: source, hidden: 128, intermediate: 256, vocab: 4000)
        let out = temp.url("out")

        let process = Process()
        process.executableURL = CommandRunner.executableURL
        process.arguments = [source.path, "--max-len", "65536", "--random-global-init", "-o", out.path, "-q"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let temporary = temp.url(".out.tmp-\(process.processIdentifier)")
        let deadline = Date().addingTimeInterval(60)
        while !Self.exists(temporary) && process.isRunning && Date() < deadline { usleep(1000) }
        usleep(150_000)   // well inside the conversion
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try #require(wasRunning, "the conversion finished before it could be killed; make it slower")
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(process.terminationStatus == SIGKILL)
        // Killed mid-way: no output folder, only the dead process's temporary folder.
        #expect(!Self.exists(out))
        #expect(Self.leftovers(in: temp.url, of: "out") == [temporary.lastPathComponent])

        // The next run needs no cleanup: it succeeds and removes the stale temporary folder.
        let again = try CommandRunner.run([source.path, "--max-len", "1024", "-o", out.path, "-q"])
        #expect(again.exitCode == 0, "\(again.stderr)")
        let weights = try SafetensorsFile(path: out.appendingPathComponent("model.safetensors").path)
        #expect(weights.info(named: "roberta.embeddings.word_embeddings.weight")?.shape == [4000, 128])
        #expect(Self.leftovers(in: temp.url, of: "out").isEmpty)
    }

    @Test func sigtermMidConversionRemovesTheTemporaryFolder() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        let source = temp.url("source")
        try Self.makeSource(at: source, hidden: 128, intermediate: 256, vocab: 4000)
        let out = temp.url("out")
        let process = Process()
        process.executableURL = CommandRunner.executableURL
        process.arguments = [source.path, "--max-len", "65536", "--random-global-init", "-o", out.path, "-q"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let temporary = temp.url(".out.tmp-\(process.processIdentifier)")
        let deadline = Date().addingTimeInterval(60)
        while !Self.exists(temporary) && process.isRunning && Date() < deadline { usleep(1000) }
        usleep(150_000)
        let wasRunning = process.isRunning
        kill(process.processIdentifier, SIGTERM)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try #require(wasRunning, "the conversion finished before it could be interrupted; make it slower")
        // Handled: a normal exit with the one-line error, and nothing left behind.
        #expect(process.terminationReason == .exit)
        Self.expectOneLineError(exitCode: process.terminationStatus, stderr: stderr, containing: "interrupted; no output was written")
        #expect(!Self.exists(out))
        #expect(Self.leftovers(in: temp.url, of: "out").isEmpty)
    }

    // MARK: - Unwritable and full destinations

    @Test func unwritableDestinationIsAClearError() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        // A file where the parent folder should be.
        let file = temp.url("a-file")
        try Data("x".utf8).write(to: file)
        let underFile = try CommandRunner.run([Self.tiny, "--max-len", "1024", "-o", file.appendingPathComponent("out").path, "-q"])
        Self.expectOneLineError(underFile, containing: "exists and is not a folder, so the output cannot be created in it")

        if geteuid() != 0 {
            // A read-only parent folder.
            let parent = temp.url("read-only")
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: false)
            chmod(parent.path, 0o555)
            defer { chmod(parent.path, 0o755) }
            let result = try CommandRunner.run([Self.tiny, "--max-len", "1024", "-o", parent.appendingPathComponent("out").path, "-q"])
            Self.expectOneLineError(result, containing: "cannot create the temporary output folder: Permission denied")
            #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
        }
        // Root ignores permission bits, so (also) use file systems that refuse new folders to
        // everyone: procfs (ENOENT) and sysfs (EPERM).
        for parent in ["/proc", "/sys"] where Self.exists(URL(fileURLWithPath: parent)) {
            let out = URL(fileURLWithPath: parent).appendingPathComponent("lsg-convert-test-out")
            let result = try CommandRunner.run([Self.tiny, "--max-len", "1024", "-o", out.path, "-q"])
            Self.expectOneLineError(result, containing: "cannot create the temporary output folder: ")
            #expect(!Self.exists(out))
        }
    }

    @Test func fullDestinationIsAClearErrorAndLeavesNothing() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        let out = temp.url("out")
        // RLIMIT_FSIZE of 64 blocks (32 or 64 KiB depending on the shell) stands for a full disk:
        // with SIGXFSZ ignored, a write past the limit fails with EFBIG like one on a full device
        // fails with ENOSPC. The model file (~700 KB at 4096 positions) cannot be written: its
        // blocks are reserved before the first byte (posix_fallocate), and the reservation fails.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", #"trap "" XFSZ; ulimit -f 64; exec "$0" "$@""#,
                             CommandRunner.executableURL.path, Self.tiny, "--max-len", "4096", "-o", out.path, "-q"]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        Self.expectOneLineError(exitCode: process.terminationStatus, stderr: stderr, containing: "model.safetensors: cannot reserve 707708 bytes: File too large")
        #expect(!Self.exists(out))
        #expect(Self.leftovers(in: temp.url, of: "out").isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test func outputLargerThanTheFreeSpaceIsRefusedBeforeWriting() throws {
        let temp = try TemporaryDirectory("lsg-atomic")
        let out = temp.url("out")
        // 10^12 positions x 32 floats = 128 TB of position embeddings: refused at once (statvfs),
        // not after filling the disk.
        let result = try CommandRunner.run([Self.tiny, "--max-len", "1000000000000", "-o", out.path, "-q"])
        Self.expectOneLineError(result, containing: "not enough space: the output needs 128000000")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    // MARK: - Hostile torch files

    static var pwnedMarker: String {
        get throws { try #require(try ModelFolder.readJSON(Fixtures.url("torch/expected.json"))["pwned_marker"]?.stringValue) }
    }

    @Test(arguments: [("os_system.pt", "refusing pickle GLOBAL `os.system`"),
                      ("builtins_eval.pt", "refusing pickle GLOBAL `builtins.eval`"),
                      ("subprocess_popen_legacy.bin", "refusing pickle GLOBAL `subprocess.Popen`")])
    func hostileTorchFilesAreRefusedAndNothingRuns(fixture: String, message: String) throws {
        let marker = try Self.pwnedMarker
        try? FileManager.default.removeItem(atPath: marker)
        let path = Fixtures.path("torch/hostile/\(fixture)")
        let inspect = try CommandRunner.run(["inspect", path])
        Self.expectOneLineError(inspect, containing: message)
        #expect(inspect.stderr.contains(path))
        #expect(inspect.stdout.isEmpty)

        // The same file as the weights of a model folder given to convert.
        let temp = try TemporaryDirectory("lsg-atomic")
        let model = temp.url("model")
        try FileManager.default.createDirectory(at: model, withIntermediateDirectories: false)
        try FileManager.default.copyItem(at: URL(fileURLWithPath: Self.tiny).appendingPathComponent("config.json"), to: model.appendingPathComponent("config.json"))
        try FileManager.default.copyItem(atPath: path, toPath: model.appendingPathComponent("pytorch_model.bin").path)
        let convert = try CommandRunner.run([model.path, "--max-len", "1024", "-o", temp.url("out").path, "-q"])
        Self.expectOneLineError(convert, containing: message)
        #expect(!Self.exists(temp.url("out")))
        #expect(Self.leftovers(in: temp.url, of: "out").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: marker), "the hostile pickle ran")
    }
}
