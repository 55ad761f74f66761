import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Downloads files of one hub repository into the cache layout, as `huggingface_hub.hf_hub_download`:
/// a metadata request to `{endpoint}/{repo}/resolve/{revision}/{file}` without following absolute
/// redirects (relative ones are repository renames and are followed), whose `X-Repo-Commit` gives the
/// snapshot and `X-Linked-Etag` (LFS files) or `ETag` the blob name; then a GET of the redirect target
/// (the CDN for LFS files) into `blobs/<etag>.incomplete`, resumed with `Range` when a partial file
/// is there, renamed to `blobs/<etag>` and linked from `snapshots/<commit>/<file>`.
struct HubDownloader {
    let environment: HubEnvironment
    let repoID: String
    let layout: HubCacheLayout
    /// Plain progress lines (one per file) when stderr is not a terminal; off in tests.
    let log: (@Sendable (String) -> Void)?

    /// What the metadata request told about a file.
    struct FileMetadata {
        var commit: String
        var etag: String
        var size: Int64?
        var downloadURL: URL
    }

    /// The outcome for one file.
    enum Outcome: Equatable {
        case downloaded(commit: String)
        case missing   // 404 (EntryNotFound)
    }

    func resolveURL(_ file: String, revision: String) -> URL {
        // Path components are percent-encoded as huggingface_hub's `quote(revision, safe="")`.
        let rev = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? revision
        let path = file.split(separator: "/").map {
            String($0).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0)
        }.joined(separator: "/")
        return URL(string: "\(environment.endpoint.absoluteString)/\(repoID)/resolve/\(rev)/\(path)")!
    }

    private func request(_ url: URL, method: String) -> URLRequest {
        var r = URLRequest(url: url)
        r.httpMethod = method
        r.setValue("lsg-convert/0.1; hf_hub-compatible", forHTTPHeaderField: "User-Agent")
        // Ask for the raw bytes: a compressed transfer would break Range offsets and sizes.
        r.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        if let token = environment.token, url.host == environment.endpoint.host {
            r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        return r
    }

    /// `"abc"` / `W/"abc"` -> `abc` (huggingface_hub's `_normalize_etag`).
    static func normalizeETag(_ etag: String) -> String {
        var e = Substring(etag.trimmingCharacters(in: .whitespaces))
        if e.hasPrefix("W/") { e = e.dropFirst(2) }
        return e.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }

    /// What the metadata request found.
    enum Lookup {
        case found(FileMetadata)
        /// 404 EntryNotFound, with the commit the hub reported (`X-Repo-Commit`), if any.
        case missing(commit: String?)
    }

    /// Metadata of `file` at `revision`.
    func metadata(_ file: String, revision: String) throws -> Lookup {
        var url = resolveURL(file, revision: revision)
        for _ in 0..<10 {
            let response = try HTTPTransfer.perform(request(url, method: "HEAD"), followRedirects: false)
            let errorCode = response.header("X-Error-Code")
            switch response.status {
            case 200..<300:
                return .found(try metadata(from: response, url: url, downloadURL: url))
            case 300..<400:
                guard let location = response.header("Location"), let target = URL(string: location, relativeTo: url)?.absoluteURL else {
                    throw HubError.missingHeader(url: url.absoluteString, header: "Location")
                }
                if location.hasPrefix("/") && !location.hasPrefix("//") {
                    url = target   // relative: a renamed repository; ask again there
                    continue
                }
                return .found(try metadata(from: response, url: url, downloadURL: target))
            case 401, 403:
                if errorCode == "RepoNotFound" { throw HubError.noSuchModel(repo: repoID, url: url.absoluteString) }
                throw HubError.gatedOrPrivate(repo: repoID, url: url.absoluteString, status: response.status,
                                              tokenWasSent: environment.token != nil)
            case 404:
                if errorCode == "RepoNotFound" { throw HubError.noSuchModel(repo: repoID, url: url.absoluteString) }
                if errorCode == "RevisionNotFound" {
                    throw HubError.noSuchRevision(repo: repoID, revision: revision, url: url.absoluteString)
                }
                return .missing(commit: response.header("X-Repo-Commit"))
            default:
                throw HubError.httpStatus(url: url.absoluteString, status: response.status)
            }
        }
        throw HubError.network(url: url.absoluteString, message: "too many redirects")
    }

    private func metadata(from response: HTTPResponse, url: URL, downloadURL: URL) throws -> FileMetadata {
        guard let commit = response.header("X-Repo-Commit") else {
            throw HubError.missingHeader(url: url.absoluteString, header: "X-Repo-Commit")
        }
        guard let etag = (response.header("X-Linked-Etag") ?? response.header("ETag")).map(Self.normalizeETag), !etag.isEmpty else {
            throw HubError.missingHeader(url: url.absoluteString, header: "ETag")
        }
        let size = (response.header("X-Linked-Size") ?? response.header("Content-Length")).flatMap { Int64($0) }
        return FileMetadata(commit: commit, etag: etag, size: size, downloadURL: downloadURL)
    }

    /// Downloads `file` (if its blob is not already cached) and links it into the snapshot.
    func fetch(_ file: String, revision: String) throws -> Outcome {
        let meta: FileMetadata
        switch try metadata(file, revision: revision) {
        case .found(let m):
            meta = m
        case .missing(let commit):
            // As hf_hub_download: remember the absence at the reported commit, and the ref to it.
            if let commit = commit ?? (HubCacheLayout.isCommitHash(revision) ? revision : nil) {
                layout.markMissing(file, commit: commit)
                try? layout.writeRef(revision, commit: commit)
            }
            return .missing
        }
        let blob = layout.blob(meta.etag)
        let fm = FileManager.default
        if !fm.fileExists(atPath: blob.path) {
            do { try fm.createDirectory(at: layout.blobsFolder, withIntermediateDirectories: true) } catch {
                throw HubError.io(path: layout.blobsFolder.path, message: error.localizedDescription)
            }
            let partial = URL(fileURLWithPath: blob.path + ".incomplete")
            let already = Self.fileSize(partial)
            if let size = meta.size, already == size {
                // A previous run got every byte but stopped before the rename.
            } else {
                try get(meta.downloadURL, into: partial, resumeFrom: already, file: file, expectedSize: meta.size)
            }
            let got = Self.fileSize(partial)
            if let size = meta.size, got != size {
                throw HubError.sizeMismatch(url: meta.downloadURL.absoluteString, expected: size, got: got)
            }
            do { try fm.moveItem(at: partial, to: blob) } catch {
                throw HubError.io(path: blob.path, message: "cannot move the finished download: \(error.localizedDescription)")
            }
        }
        try layout.linkSnapshotFile(file, commit: meta.commit, etag: meta.etag)
        return .downloaded(commit: meta.commit)
    }

    /// Size of a file in bytes, 0 when absent.
    static func fileSize(_ url: URL) -> Int64 {
        var info = stat()
        return stat(url.path, &info) == 0 ? Int64(info.st_size) : 0
    }

    private func get(_ url: URL, into partial: URL, resumeFrom offset: Int64, file: String, expectedSize: Int64?) throws {
        let progress = DownloadProgress(label: "\(repoID): \(file)")
        var offset = offset
        for attempt in 0..<2 {
            let response = try HTTPTransfer.perform(
                request(url, method: "GET"), followRedirects: true,
                destination: .init(file: partial, resumeOffset: offset), progress: progress)
            switch response.status {
            case 200, 206:
                log?("downloaded \(repoID)/\(file) (\(DownloadProgress.format(expectedSize ?? 0)))")
                return
            case 416 where attempt == 0:
                // The partial file is not a prefix the server accepts: start over.
                try? FileManager.default.removeItem(at: partial)
                offset = 0
            case 401, 403:
                throw HubError.gatedOrPrivate(repo: repoID, url: url.absoluteString, status: response.status,
                                              tokenWasSent: environment.token != nil)
            default:
                throw HubError.httpStatus(url: url.absoluteString, status: response.status)
            }
        }
        throw HubError.httpStatus(url: url.absoluteString, status: 416)
    }
}
