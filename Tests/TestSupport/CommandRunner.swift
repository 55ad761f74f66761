import Foundation

/// Runs the built `lsg-convert` executable, which SwiftPM builds next to the test bundle.
public enum CommandRunner {
    public struct Result: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `lsg-convert` binary in the same build folder as the running test bundle.
    public static var executableURL: URL {
        let testBinary = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0])
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the bundle is `<build>/debug/<name>.xctest` (a file); on macOS a directory tree.
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("lsg-convert")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "lsg-convert")
    }

    /// Runs `lsg-convert arguments...` (or another copy of it, `executable`) and waits for it;
    /// `environment` entries are added to the current one; `standardInput` (when given) is written to
    /// the process's standard input.
    @discardableResult
    public static func run(executable: URL? = nil, _ arguments: [String], environment: [String: String] = [:],
                           currentDirectory: URL? = nil, standardInput: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? executableURL
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        if standardInput != nil { process.standardInput = input }
        try process.run()
        if let standardInput {
            let writer = input.fileHandleForWriting
            DispatchQueue.global().async {
                writer.write(standardInput)
                try? writer.close()
            }
        }
        // Drain both pipes concurrently so a chatty process cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(exitCode: process.terminationStatus,
                      stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
