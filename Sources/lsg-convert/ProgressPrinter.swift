import Foundation
import LSGConversion
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shows a conversion's progress on stderr: a redrawn bar on a terminal (at most 10 redraws a
/// second), one plain line per stage otherwise (logs, CI, pipes). Results go to stdout.
final class ProgressPrinter {
    private let isTerminal: Bool
    private let quiet: Bool
    private var total = 0
    private var totalBytes = 0
    private var started = Date()
    private var lastDraw = Date.distantPast

    init(quiet: Bool) {
        self.quiet = quiet
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        isTerminal = isatty(STDERR_FILENO) == 1 && term != "dumb"
    }

    func handle(_ event: ConversionProgress) {
        guard !quiet else { return }
        switch event {
        case .computingGlobals:
            line("computing the global embeddings")
        case .hashingSource:
            break
        case let .writingWeights(total, totalBytes):
            self.total = total
            self.totalBytes = totalBytes
            started = Date()
            if !isTerminal { line("writing model.safetensors: \(total) tensors, \(Self.megabytes(totalBytes))") }
        case let .wroteTensor(done, bytes):
            guard isTerminal else { return }
            let now = Date()
            guard done == total || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
            lastDraw = now
            let fraction = totalBytes > 0 ? min(1, Double(bytes) / Double(totalBytes)) : 1
            let width = 24
            let filled = Int(fraction * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            let elapsed = max(now.timeIntervalSince(started), 1e-3)
            let rate = Double(bytes) / elapsed / 1e6
            var text = "\r\u{1B}[2Kmodel.safetensors [\(bar)] \(Int(fraction * 100))%  \(done)/\(total) tensors  "
            text += "\(Self.megabytes(bytes))/\(Self.megabytes(totalBytes))  \(String(format: "%.0f", rate)) MB/s"
            if done == total { text += "\n" }
            FileHandle.standardError.write(Data(text.utf8))
        case let .wroteFile(name):
            if !isTerminal { line("wrote \(name)") }
        case let .finished(seconds):
            line(String(format: "done in %.2f s", seconds))
        }
    }

    private func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
