import Foundation

/// Serves repositories the way huggingface.co does for `/{repo}/resolve/{revision}/{file}`:
/// - regular files: 200 with `ETag` (git blob id) and `X-Repo-Commit`;
/// - LFS files: 302 to `/cdn/<sha256>` with `X-Linked-Etag`, `X-Linked-Size`, `X-Repo-Commit`
///   (the CDN answers 200 or 206 to a `Range` request);
/// - renamed repositories: 307 with a relative `Location`;
/// - gated repositories: 401 `X-Error-Code: GatedRepo` unless `Authorization: Bearer <token>`;
/// - unknown repositories: 401 `RepoNotFound` (the hub hides private names); unknown revisions:
///   404 `RevisionNotFound`; missing files: 404 `EntryNotFound`.
final class FakeHub: @unchecked Sendable {
    struct File {
        var data: Data
        var lfs: Bool
        /// The blob name to announce (ETag, or X-Linked-Etag for LFS); default: a digest of the data.
        var etag: String? = nil
        var blobETag: String { etag ?? (lfs ? FakeHub.sha256(data) : FakeHub.gitSHA(data)) }
    }
    struct Repo {
        var commit: String
        var files: [String: File]
        var gatedToken: String?
    }

    private let lock = NSLock()
    private var repos: [String: Repo] = [:]
    private var renamed: [String: String] = [:]
    private var cutNextCDNAfter: Int?
    private(set) var server: LocalHTTPServer!

    init() throws {
        server = try LocalHTTPServer { [weak self] request in
            self?.handle(request) ?? .init(status: 503)
        }
    }

    deinit { server.stop() }

    var endpoint: URL { URL(string: server.baseURL)! }
    var requests: [LocalHTTPServer.Request] { server.requests }

    func add(_ id: String, _ repo: Repo) { lock.lock(); repos[id] = repo; lock.unlock() }
    func rename(_ old: String, to new: String) { lock.lock(); renamed[old] = new; lock.unlock() }
    /// The next CDN answer sends only `bytes` bytes of its body and drops the connection.
    func dropNextCDNResponse(after bytes: Int) { lock.lock(); cutNextCDNAfter = bytes; lock.unlock() }

    /// A deterministic hex digest standing in for sha256 / git sha1 (the client only uses it as a name).
    static func digest(_ data: Data, salt: UInt64, hexDigits: Int) -> String {
        var out = ""
        var seed = salt
        while out.count < hexDigits {
            var h: UInt64 = 0xcbf29ce484222325 ^ seed
            for b in data { h = (h ^ UInt64(b)) &* 0x100000001b3 }
            out += String(format: "%016llx", h)
            seed &+= 1
        }
        return String(out.prefix(hexDigits))
    }
    static func sha256(_ data: Data) -> String { digest(data, salt: 256, hexDigits: 64) }
    static func gitSHA(_ data: Data) -> String { digest(data, salt: 1, hexDigits: 40) }

    private func handle(_ request: LocalHTTPServer.Request) -> LocalHTTPServer.Response {
        lock.lock()
        defer { lock.unlock() }
        let path = request.path.removingPercentEncoding ?? request.path
        if path.hasPrefix("/cdn/") {
            let sha = String(path.dropFirst(5))
            for repo in repos.values {
                for file in repo.files.values where file.lfs && file.blobETag == sha {
                    var response = Self.ranged(file.data, request: request, headers: [("ETag", "\"\(sha)\"")])
                    if request.method == "GET", let cut = cutNextCDNAfter {
                        response.cutAfter = cut
                        cutNextCDNAfter = nil
                    }
                    return response
                }
            }
            return .init(status: 404)
        }
        guard let r = path.range(of: "/resolve/") else { return .init(status: 404) }
        let repoID = String(path[path.index(after: path.startIndex)..<r.lowerBound])
        let rest = path[r.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return .init(status: 404) }
        let revision = String(rest[..<slash])
        let fileName = String(rest[rest.index(after: slash)...])
        if let new = renamed[repoID] {
            return .init(status: 307, headers: [("Location", "/\(new)/resolve/\(revision)/\(fileName)")])
        }
        guard let repo = repos[repoID] else {
            return .init(status: 401, headers: [("X-Error-Code", "RepoNotFound")])
        }
        if let token = repo.gatedToken, request.header("Authorization") != "Bearer \(token)" {
            return .init(status: 401, headers: [("X-Error-Code", "GatedRepo")])
        }
        guard revision == "main" || revision == repo.commit else {
            return .init(status: 404, headers: [("X-Error-Code", "RevisionNotFound")])
        }
        guard let file = repo.files[fileName] else {
            return .init(status: 404, headers: [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", repo.commit)])
        }
        let common = [("X-Repo-Commit", repo.commit),
                      ("ETag", "\"\(file.lfs ? Self.gitSHA(file.data) : file.blobETag)\"")]
        if file.lfs {
            let sha = file.blobETag
            return .init(status: 302, headers: common + [
                ("X-Linked-Etag", "\"\(sha)\""), ("X-Linked-Size", "\(file.data.count)"),
                ("Location", "\(server.baseURL)/cdn/\(sha)"),
            ])
        }
        return Self.ranged(file.data, request: request, headers: common)
    }

    /// 200 with the whole body, or 206 for `Range: bytes=N-`, 416 past the end.
    static func ranged(_ data: Data, request: LocalHTTPServer.Request, headers: [(String, String)]) -> LocalHTTPServer.Response {
        if let range = request.header("Range"), range.hasPrefix("bytes="), range.hasSuffix("-"),
           let start = Int(range.dropFirst(6).dropLast()) {
            guard start < data.count else {
                return .init(status: 416, headers: headers + [("Content-Range", "bytes */\(data.count)")])
            }
            return .init(status: 206, headers: headers + [("Content-Range", "bytes \(start)-\(data.count - 1)/\(data.count)")],
                         body: data.subdata(in: start..<data.count))
        }
        return .init(status: 200, headers: headers, body: data)
    }
}
