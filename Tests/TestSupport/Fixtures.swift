import Foundation

/// Locates the repository's committed fixtures from the test sources (read at run time via a
/// `#filePath`-relative path, not bundled as resources).
public enum Fixtures {
    /// The repository root.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `fixtures/<relative>`.
    public static func url(_ relative: String) -> URL {
        root.appendingPathComponent("fixtures").appendingPathComponent(relative)
    }

    /// `fixtures/<relative>` as a path string.
    public static func path(_ relative: String) -> String { url(relative).path }
}
