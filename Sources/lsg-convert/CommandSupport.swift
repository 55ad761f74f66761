import ArgumentParser
import Foundation

/// Shared behaviour of the subcommands: errors become one line on stderr and a non-zero exit.
enum CommandSupport {
    /// Exit code for inputs that cannot be processed (unreadable, corrupt, unsupported).
    static let inputErrorExitCode: Int32 = 2

    /// Runs `body`; any error is printed as `lsg-convert: error: <description>` on stderr and the
    /// command exits with ``inputErrorExitCode``.
    static func reportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ValidationError {
            throw error
        } catch {
            printError("\(error)")
            throw ExitCode(inputErrorExitCode)
        }
    }

    static func printError(_ message: String) {
        FileHandle.standardError.write(Data("lsg-convert: error: \(message)\n".utf8))
    }
}

/// Human-readable byte counts (binary units).
enum ByteCountText {
    static func format(_ bytes: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
