import Foundation

/// Download progress on stderr: a rewritten line when stderr is a terminal, nothing otherwise
/// (logs stay clean); the caller prints one plain line per file instead.
final class DownloadProgress: @unchecked Sendable {
    private let label: String
    private let interactive: Bool
    private var total: Int64?
    private var lastDraw = Date.distantPast
    private let started = Date()

    init(label: String, interactive: Bool = isatty(STDERR_FILENO) == 1) {
        self.label = label
        self.interactive = interactive
    }

    func start(total: Int64?, already: Int64) {
        self.total = total
        update(already, force: true)
    }

    func update(_ bytes: Int64, force: Bool = false) {
        guard interactive else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        var line = "\r\(label)  \(Self.format(bytes))"
        if let total, total > 0 {
            line += " / \(Self.format(total))  \(Int(Double(bytes) * 100 / Double(total)))%"
        }
        let elapsed = now.timeIntervalSince(started)
        if elapsed > 0.5 { line += "  \(Self.format(Int64(Double(bytes) / elapsed)))/s" }
        FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
    }

    func finish() {
        guard interactive else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    static func format(_ bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
