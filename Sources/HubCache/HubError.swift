import Foundation

/// Errors of model-name resolution and hub downloads, each naming the model, file or URL involved.
public enum HubError: Error, Equatable, CustomStringConvertible {
    /// Nothing usable found and downloading not possible (offline, or `allowDownload` off).
    /// `searched` lists every place looked in, in order.
    case notFound(name: String, revision: String, searched: [String], reason: String)
    /// The hub has no such repository (404 on config.json, or `X-Error-Code: RepoNotFound`).
    case noSuchModel(repo: String, url: String)
    /// The revision (branch, tag or commit) does not exist in the repository.
    case noSuchRevision(repo: String, revision: String, url: String)
    /// 401/403: the repository is gated or private and needs a token.
    case gatedOrPrivate(repo: String, url: String, status: Int, tokenWasSent: Bool)
    /// The repository has none of the weight files this tool reads.
    case noWeights(repo: String, tried: [String])
    /// An unexpected HTTP status.
    case httpStatus(url: String, status: Int)
    /// A response lacked a header the cache layout needs (commit hash or ETag).
    case missingHeader(url: String, header: String)
    /// The transfer itself failed (connection refused, DNS, TLS, interrupted...).
    case network(url: String, message: String)
    /// A cache file or folder could not be read or written.
    case io(path: String, message: String)
    /// The downloaded size differs from the announced one.
    case sizeMismatch(url: String, expected: Int64, got: Int64)

    public var description: String {
        switch self {
        case .notFound(let name, let revision, let searched, let reason):
            let list = searched.map { "  - \($0)" }.joined(separator: "\n")
            return "model \"\(name)\" (revision \(revision)) not found: \(reason)\nlooked in:\n\(list)"
        case .noSuchModel(let repo, let url):
            return "no such model on the hub: \"\(repo)\" (\(url)); check the name, or set HF_TOKEN if it is private"
        case .noSuchRevision(let repo, let revision, let url):
            return "model \"\(repo)\" has no revision \"\(revision)\" (\(url))"
        case .gatedOrPrivate(let repo, let url, let status, let tokenWasSent):
            return tokenWasSent
                ? "access to \"\(repo)\" refused (HTTP \(status), \(url)): the token in HF_TOKEN has no access to this gated or private model; request access on its page"
                : "\"\(repo)\" is a gated or private model (HTTP \(status), \(url)): set HF_TOKEN to a token with access"
        case .noWeights(let repo, let tried):
            return "model \"\(repo)\" has no weights this tool reads (tried \(tried.joined(separator: ", ")))"
        case .httpStatus(let url, let status):
            return "HTTP \(status) for \(url)"
        case .missingHeader(let url, let header):
            return "the hub's answer for \(url) lacks the \(header) header"
        case .network(let url, let message):
            return "download of \(url) failed: \(message)"
        case .io(let path, let message):
            return "\(path): \(message)"
        case .sizeMismatch(let url, let expected, let got):
            return "download of \(url) gave \(got) bytes, expected \(expected)"
        }
    }
}
