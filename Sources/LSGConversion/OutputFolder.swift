import CFolderExchange
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The output folder of a conversion, written atomically: files go into `.NAME.tmp-<pid>` beside
/// the destination, which is renamed into place by ``commit()``. If the conversion fails or is
/// interrupted, ``discard()`` (or the next run, for a killed process) removes the temporary folder,
/// so the destination is either absent/untouched or complete.
public final class OutputFolder {
    /// The final folder.
    public let destination: URL
    /// Where files are written until ``commit()``.
    public let temporary: URL
    private let force: Bool
    private var finished = false

    /// Checks the destination (an existing non-empty folder needs `force`; a file is always an
    /// error), removes stale temporary folders of dead processes, and creates the temporary folder.
    public init(destination: URL, force: Bool) throws {
        self.destination = destination.standardizedFileURL
        self.force = force
        try Self.checkDestination(self.destination, force: force)
        let parent = self.destination.deletingLastPathComponent()
        let name = self.destination.lastPathComponent
        var parentIsFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: parent.path, isDirectory: &parentIsFolder), !parentIsFolder.boolValue {
            throw ConversionError(.outputFailed, parent.path, "exists and is not a folder, so the output cannot be created in it")
        }
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            // Foundation's own text is a multi-line NSError dump here (a file where a folder is
            // needed): report the POSIX reason on one line instead.
            throw ConversionError(.outputFailed, parent.path, "cannot create the output's parent folder: \(Self.reason(error))")
        }
        Self.removeStaleTemporaries(in: parent, name: name)
        temporary = parent.appendingPathComponent(".\(name).tmp-\(getpid())")
        try? FileManager.default.removeItem(at: temporary)
        // POSIX mkdir, so that the error names the real cause (EACCES, EROFS, ENOSPC...):
        // FileManager on Linux reports e.g. a read-only destination as "The file doesn't exist."
        guard mkdir(temporary.path, 0o777) == 0 else {
            throw ConversionError(.outputFailed, temporary.path, "cannot create the temporary output folder: \(String(cString: strerror(errno)))")
        }
    }

    /// A one-line reason for a Foundation file error: the underlying POSIX message when there is one.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return ns.localizedDescription
    }

    /// Throws unless `destination` is absent, an empty folder, or (with `force`) a folder.
    public static func checkDestination(_ destination: URL, force: Bool) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: destination.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw ConversionError(.outputExists, destination.path, "exists and is not a folder")
        }
        let contents = (try? FileManager.default.contentsOfDirectory(atPath: destination.path)) ?? []
        if !contents.isEmpty && !force {
            throw ConversionError(.outputExists, destination.path, "exists and is not empty (use --force to replace it)")
        }
    }

    /// Removes `.NAME.tmp-<pid>` folders whose process no longer runs (left by a killed conversion).
    static func removeStaleTemporaries(in parent: URL, name: String) {
        let prefix = ".\(name).tmp-"
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count)) else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
    }

    /// Throws when the destination's file system has fewer than `byteCount` bytes available (plus
    /// 1 MiB for the small files), before anything large is written: a `--max-len` or config asking
    /// for terabytes fails at once with the figures instead of filling the disk first.
    public func ensureSpace(for byteCount: Int) throws {
        var stats = statvfs()
        guard statvfs(temporary.path, &stats) == 0 else { return }   // unknown: let the writes tell
        let (available, overflow) = Int(clamping: stats.f_bavail).multipliedReportingOverflow(by: Int(clamping: stats.f_frsize))
        guard !overflow else { return }
        let needed = byteCount.addingReportingOverflow(1 << 20)
        if needed.overflow || needed.partialValue > available {
            throw ConversionError(.outputFailed, destination.path,
                                  "not enough space: the output needs \(byteCount) bytes but only \(available) are available on its file system")
        }
    }

    /// A file inside the temporary folder.
    public func url(_ name: String) -> URL { temporary.appendingPathComponent(name) }

    /// Moves the finished folder into place (replacing an existing one when `force` was given).
    /// An existing folder is swapped with the new one in one atomic exchange where the kernel and
    /// file system support it (Linux renameat2 RENAME_EXCHANGE, macOS RENAME_SWAP): the destination
    /// then never stops existing. Elsewhere it is moved aside to `.NAME.old-<pid>` first.
    public func commit() throws {
        precondition(!finished, "OutputFolder committed twice")
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        var old: URL?
        if fm.fileExists(atPath: destination.path, isDirectory: &isDirectory) {
            // Re-check: something may have appeared since the start.
            try Self.checkDestination(destination, force: force)
            if isDirectory.boolValue, lsg_exchange_paths(temporary.path, destination.path) == 0 {
                // The temporary path now holds the old folder.
                finished = true
                try? fm.removeItem(at: temporary)
                return
            }
            let aside = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).old-\(getpid())")
            try? fm.removeItem(at: aside)
            guard rename(destination.path, aside.path) == 0 else {
                throw ConversionError(.outputFailed, destination.path, "cannot move the existing folder aside: \(String(cString: strerror(errno)))")
            }
            old = aside
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            if let old { _ = rename(old.path, destination.path) }
            throw ConversionError(.outputFailed, destination.path, "cannot rename \(temporary.path) into place: \(reason)")
        }
        finished = true
        if let old { try? fm.removeItem(at: old) }
    }

    /// Removes the temporary folder (after a failure).
    public func discard() {
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(at: temporary)
    }

    deinit { discard() }
}
