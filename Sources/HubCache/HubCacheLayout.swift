import Foundation

/// The on-disk layout huggingface_hub uses for one model repository:
///
///     <cache>/models--ORG--NAME/
///         blobs/<etag>                         file contents, named by ETag (sha256 for LFS files)
///         snapshots/<commit>/<file>            relative symlink -> ../../blobs/<etag>
///         refs/<revision>                      the commit hash a branch or tag pointed to
///         .no_exist/<commit>/<file>            empty marker: the file is known not to exist
public struct HubCacheLayout: Sendable {
    public let cacheDirectory: URL
    public let repoID: String

    public init(cacheDirectory: URL, repoID: String) {
        self.cacheDirectory = cacheDirectory
        self.repoID = repoID
    }

    /// `models--ORG--NAME` (slashes become `--`).
    public var repoFolder: URL {
        cacheDirectory.appendingPathComponent("models--" + repoID.replacingOccurrences(of: "/", with: "--"))
    }
    public var blobsFolder: URL { repoFolder.appendingPathComponent("blobs") }
    public func refFile(_ revision: String) -> URL { repoFolder.appendingPathComponent("refs").appendingPathComponent(revision) }
    public func snapshotFolder(_ commit: String) -> URL { repoFolder.appendingPathComponent("snapshots").appendingPathComponent(commit) }
    public func blob(_ etag: String) -> URL { blobsFolder.appendingPathComponent(etag) }
    public func noExistMarker(commit: String, file: String) -> URL {
        repoFolder.appendingPathComponent(".no_exist").appendingPathComponent(commit).appendingPathComponent(file)
    }

    /// A 40-hex-digit git commit hash.
    public static func isCommitHash(_ s: String) -> Bool {
        s.count == 40 && s.allSatisfy { $0.isHexDigit }
    }

    /// The commit `revision` designates in the cache: `refs/<revision>`'s content, else the revision
    /// itself when it is a commit hash. Nil when the ref is unknown.
    public func commit(for revision: String) -> String? {
        if let text = try? String(contentsOf: refFile(revision), encoding: .utf8) {
            let commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !commit.isEmpty { return commit }
        }
        return Self.isCommitHash(revision) ? revision : nil
    }

    /// Whether `file` exists in the snapshot (following its symlink; a link to a missing blob does not count).
    public func snapshotHas(_ file: String, commit: String) -> Bool {
        FileManager.default.fileExists(atPath: snapshotFolder(commit).appendingPathComponent(file).path)
    }

    // MARK: - Writing

    /// Creates `snapshots/<commit>/<file>` as a relative symlink to `blobs/<etag>` (replacing any old entry).
    public func linkSnapshotFile(_ file: String, commit: String, etag: String) throws {
        let link = snapshotFolder(commit).appendingPathComponent(file)
        let depth = file.split(separator: "/").count - 1
        let relative = String(repeating: "../", count: depth + 2) + "blobs/" + etag
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            if (try? fm.destinationOfSymbolicLink(atPath: link.path)) != nil || fm.fileExists(atPath: link.path) {
                try fm.removeItem(at: link)
            }
            try fm.createSymbolicLink(atPath: link.path, withDestinationPath: relative)
        } catch {
            throw HubError.io(path: link.path, message: "cannot create the snapshot link: \(error.localizedDescription)")
        }
    }

    /// Writes `refs/<revision>` = commit (not for a revision that is itself the commit).
    public func writeRef(_ revision: String, commit: String) throws {
        guard revision != commit else { return }
        let file = refFile(revision)
        do {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: file, options: .atomic)
        } catch {
            throw HubError.io(path: file.path, message: "cannot write the ref: \(error.localizedDescription)")
        }
    }

    /// Records that `file` does not exist at `commit` (huggingface_hub's `.no_exist` marker).
    public func markMissing(_ file: String, commit: String) {
        let marker = noExistMarker(commit: commit, file: file)
        try? FileManager.default.createDirectory(at: marker.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: marker.path, contents: Data())
    }

    /// Whether a `.no_exist` marker says `file` is absent at `commit`.
    public func knownMissing(_ file: String, commit: String) -> Bool {
        FileManager.default.fileExists(atPath: noExistMarker(commit: commit, file: file).path)
    }
}
