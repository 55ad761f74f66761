import Foundation

/// The settings huggingface_hub reads from the environment, with its precedence.
public struct HubEnvironment: Sendable, Equatable {
    /// The hub cache (`HF_HUB_CACHE`, else `HUGGINGFACE_HUB_CACHE`, else `HF_HOME/hub`, else
    /// `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`).
    public var cacheDirectory: URL
    /// `HF_ENDPOINT`, default `https://huggingface.co`.
    public var endpoint: URL
    /// `HF_TOKEN` (else `HUGGING_FACE_HUB_TOKEN`, else the `HF_HOME/token` file written by `huggingface-cli login`).
    public var token: String?
    /// `HF_HUB_OFFLINE` (or `TRANSFORMERS_OFFLINE`) set to 1/true/yes/on.
    public var offline: Bool

    public init(cacheDirectory: URL, endpoint: URL = URL(string: "https://huggingface.co")!,
                token: String? = nil, offline: Bool = false) {
        self.cacheDirectory = cacheDirectory
        self.endpoint = endpoint
        self.token = token
        self.offline = offline
    }

    /// Reads the variables from `environment` (the process environment by default).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        func value(_ key: String) -> String? {
            guard let v = environment[key], !v.isEmpty else { return nil }
            return v
        }
        func expand(_ path: String) -> URL { URL(fileURLWithPath: (path as NSString).expandingTildeInPath) }
        let home = value("HF_HOME").map(expand)
            ?? expand(value("XDG_CACHE_HOME") ?? "~/.cache").appendingPathComponent("huggingface")
        cacheDirectory = (value("HF_HUB_CACHE") ?? value("HUGGINGFACE_HUB_CACHE")).map(expand)
            ?? home.appendingPathComponent("hub")
        var endpointString = value("HF_ENDPOINT") ?? "https://huggingface.co"
        while endpointString.hasSuffix("/") { endpointString.removeLast() }
        endpoint = URL(string: endpointString) ?? URL(string: "https://huggingface.co")!
        let tokenFile = value("HF_TOKEN_PATH").map(expand) ?? home.appendingPathComponent("token")
        token = value("HF_TOKEN") ?? value("HUGGING_FACE_HUB_TOKEN")
            ?? (try? String(contentsOf: tokenFile, encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty
        let truthy: Set<String> = ["1", "true", "yes", "on"]
        offline = [value("HF_HUB_OFFLINE"), value("TRANSFORMERS_OFFLINE")]
            .contains { $0.map { truthy.contains($0.lowercased()) } ?? false }
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
