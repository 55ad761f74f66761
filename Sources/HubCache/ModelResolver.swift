import Foundation

/// Turns a model name into a local folder: a local path, else a snapshot of the Hugging Face
/// cache, else a download from the hub into that cache.
///
///     let folder = try ModelResolver().resolve(name: "roberta-base", revision: "main")
///     // ~/.cache/huggingface/hub/models--roberta-base/snapshots/<commit>/ (config.json, weights, tokenizer)
public struct ModelResolver: Sendable {
    /// Which files make a snapshot usable (and which a download fetches).
    public enum Requirement: Sendable {
        /// config.json and weights (single or sharded, safetensors or torch).
        case model
        /// Tokenizer files (tokenizer.json, or vocab.json + merges.txt, or BERT's vocab.txt).
        case tokenizer
    }

    public var environment: HubEnvironment
    /// Set to false to only look in the cache even when online.
    public var allowDownload: Bool
    /// Receives one plain line per downloaded file (nil: silent).
    public var log: (@Sendable (String) -> Void)?

    /// Weight files in order of preference; the index files name the shards.
    public static let weightCandidates = ["model.safetensors", "model.safetensors.index.json",
                                          "pytorch_model.bin", "pytorch_model.bin.index.json"]
    /// Tokenizer files fetched alongside the model (a 404 is fine).
    public static let tokenizerFiles = ["tokenizer.json", "vocab.json", "merges.txt",
                                        "tokenizer_config.json", "special_tokens_map.json"]
    /// BERT's slow vocabulary, fetched only when neither tokenizer.json nor vocab.json exists (older
    /// BERT checkpoints ship vocab.txt + tokenizer_config.json alone).
    public static let wordPieceVocabulary = "vocab.txt"

    public init(environment: HubEnvironment = HubEnvironment(), allowDownload: Bool = true,
                log: (@Sendable (String) -> Void)? = nil) {
        self.environment = environment
        self.allowDownload = allowDownload
        self.log = log
    }

    /// The folder for `name`: an existing local path as is (checked first, so `./roberta-base-lsg-4096`
    /// written by a conversion is never looked up on the hub); else the cached snapshot of `revision`
    /// (a branch, tag or commit hash; the `roberta-base` / `FacebookAI/roberta-base` aliases are
    /// tried both ways); else, unless offline, the files downloaded into the cache.
    /// A complete cached snapshot is used without asking the hub whether the branch moved (offline-first,
    /// so repeated runs are fast and reproducible); pass a commit hash to pin a version.
    /// Throws `HubError.notFound` listing every place looked in.
    public func resolve(name: String, revision: String = "main", requirement: Requirement = .model) throws -> URL {
        var searched: [String] = []
        let local = URL(fileURLWithPath: (name as NSString).expandingTildeInPath)
        // Any existing path wins (a folder, or a single checkpoint file for callers that accept one).
        if FileManager.default.fileExists(atPath: local.path) { return local }
        searched.append("\(local.path) (local path: does not exist)")

        let looksLikeRepoID = Self.isRepoID(name)
        if looksLikeRepoID {
            for candidate in ModelAliases.candidates(for: name) {
                let (snapshot, note) = cachedSnapshot(repoID: candidate, revision: revision, requirement: requirement)
                if let snapshot { return snapshot }
                searched.append(note)
            }
        }
        guard looksLikeRepoID else {
            throw HubError.notFound(name: name, revision: revision, searched: searched,
                                    reason: "not a folder, and not a valid hub model id")
        }
        if environment.offline || !allowDownload {
            throw HubError.notFound(name: name, revision: revision, searched: searched,
                                    reason: environment.offline ? "not in the cache, and HF_HUB_OFFLINE is set" : "not in the cache")
        }
        return try download(repoID: name, revision: revision, requirement: requirement)
    }

    /// `org/name` or `name`, with hub-legal characters only (no path-like names).
    public static func isRepoID(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part != "." && part != ".." && !part.hasPrefix("-") && !part.hasPrefix(".")
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        } && !name.contains("--")
    }

    /// The cached snapshot of `repoID` at `revision` if it satisfies `requirement`, else a note for the error.
    public func cachedSnapshot(repoID: String, revision: String, requirement: Requirement) -> (URL?, String) {
        let layout = HubCacheLayout(cacheDirectory: environment.cacheDirectory, repoID: repoID)
        guard FileManager.default.fileExists(atPath: layout.repoFolder.path) else {
            return (nil, "\(layout.repoFolder.path) (not in the cache)")
        }
        guard let commit = layout.commit(for: revision) else {
            return (nil, "\(layout.refFile(revision).path) (no such ref)")
        }
        let snapshot = layout.snapshotFolder(commit)
        guard FileManager.default.fileExists(atPath: snapshot.path) else {
            return (nil, "\(snapshot.path) (snapshot missing)")
        }
        if let missing = Self.missingFiles(in: snapshot, for: requirement) {
            return (nil, "\(snapshot.path) (incomplete: \(missing))")
        }
        return (snapshot, "")
    }

    /// Fetches `vocab.txt` when the snapshot has neither tokenizer.json nor vocab.json (a 404 is fine).
    private func fetchWordPieceVocabularyIfNeeded(_ downloader: HubDownloader, layout: HubCacheLayout, commit: String) throws {
        let snapshot = layout.snapshotFolder(commit)
        let fm = FileManager.default
        if fm.fileExists(atPath: snapshot.appendingPathComponent("tokenizer.json").path)
            || fm.fileExists(atPath: snapshot.appendingPathComponent("vocab.json").path) { return }
        _ = try downloader.fetch(Self.wordPieceVocabulary, revision: commit)
    }

    /// What a folder lacks for `requirement`, nil when complete. Shards named by an index must all be there.
    static func missingFiles(in folder: URL, for requirement: Requirement) -> String? {
        let fm = FileManager.default
        func has(_ f: String) -> Bool { fm.fileExists(atPath: folder.appendingPathComponent(f).path) }
        switch requirement {
        case .tokenizer:
            return has("tokenizer.json") || (has("vocab.json") && has("merges.txt")) || has("vocab.txt") ? nil : "no tokenizer files"
        case .model:
            guard has("config.json") else { return "no config.json" }
            for weights in weightCandidates where has(weights) {
                guard weights.hasSuffix(".index.json") else { return nil }
                let shards = (try? shardNames(indexFile: folder.appendingPathComponent(weights))) ?? []
                let absent = shards.filter { !has($0) }
                return absent.isEmpty && !shards.isEmpty ? nil : "missing shards \(absent.joined(separator: ", "))"
            }
            return "no weights"
        }
    }

    /// The shard files named by a `*.index.json` `weight_map`, sorted, without duplicates.
    static func shardNames(indexFile: URL) throws -> [String] {
        let data: Data
        do { data = try Data(contentsOf: indexFile) } catch {
            throw HubError.io(path: indexFile.path, message: error.localizedDescription)
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let map = json["weight_map"] as? [String: String] else {
            throw HubError.io(path: indexFile.path, message: "not a sharded-checkpoint index (no weight_map)")
        }
        return Array(Set(map.values)).sorted()
    }

    /// Downloads what `requirement` needs of `repoID` into the cache and returns the snapshot folder.
    /// The first file pins the commit; every later file is fetched at that commit, so a branch
    /// moving meanwhile cannot mix two versions.
    public func download(repoID: String, revision: String, requirement: Requirement = .model) throws -> URL {
        let layout = HubCacheLayout(cacheDirectory: environment.cacheDirectory, repoID: repoID)
        let downloader = HubDownloader(environment: environment, repoID: repoID, layout: layout, log: log)
        var commit: String
        switch requirement {
        case .model:
            guard case .downloaded(let c) = try downloader.fetch("config.json", revision: revision) else {
                throw HubError.noSuchModel(repo: repoID, url: downloader.resolveURL("config.json", revision: revision).absoluteString)
            }
            commit = c
            try layout.writeRef(revision, commit: commit)
            var found: String?
            for weights in Self.weightCandidates {
                if case .downloaded = try downloader.fetch(weights, revision: commit) {
                    found = weights
                    break
                }
            }
            guard let weights = found else { throw HubError.noWeights(repo: repoID, tried: Self.weightCandidates) }
            if weights.hasSuffix(".index.json") {
                let index = layout.snapshotFolder(commit).appendingPathComponent(weights)
                for shard in try Self.shardNames(indexFile: index) {
                    guard case .downloaded = try downloader.fetch(shard, revision: commit) else {
                        throw HubError.httpStatus(url: downloader.resolveURL(shard, revision: commit).absoluteString, status: 404)
                    }
                }
            }
            for file in Self.tokenizerFiles { _ = try downloader.fetch(file, revision: commit) }
            try fetchWordPieceVocabularyIfNeeded(downloader, layout: layout, commit: commit)
        case .tokenizer:
            var pinned: String?
            for file in Self.tokenizerFiles {
                if case .downloaded(let c) = try downloader.fetch(file, revision: pinned ?? revision), pinned == nil {
                    pinned = c
                }
            }
            if pinned == nil, case .downloaded(let c) = try downloader.fetch(Self.wordPieceVocabulary, revision: revision) {
                pinned = c
            } else if let c = pinned {
                try fetchWordPieceVocabularyIfNeeded(downloader, layout: layout, commit: c)
            }
            guard let c = pinned else { throw HubError.noSuchModel(repo: repoID, url: downloader.resolveURL("tokenizer.json", revision: revision).absoluteString) }
            commit = c
            _ = try? downloader.fetch("config.json", revision: commit)
        }
        try layout.writeRef(revision, commit: commit)
        let snapshot = layout.snapshotFolder(commit)
        if let missing = Self.missingFiles(in: snapshot, for: requirement) {
            throw HubError.io(path: snapshot.path, message: "download finished but the snapshot is incomplete: \(missing)")
        }
        return snapshot
    }
}
