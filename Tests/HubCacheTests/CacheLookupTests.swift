import Foundation
import Testing
import TestSupport
@testable import HubCache

/// A cache laid out by hand exactly as huggingface_hub writes it (blobs, relative snapshot symlinks, refs).
struct HandMadeCache {
    let root: TemporaryDirectory
    static let commit = "0123456789abcdef0123456789abcdef01234567"
    static let oldCommit = "fedcba9876543210fedcba9876543210fedcba98"

    init() throws { root = try TemporaryDirectory("hf-cache") }

    var environment: HubEnvironment {
        HubEnvironment(cacheDirectory: root.url, endpoint: URL(string: "http://127.0.0.1:9")!, offline: true)
    }

    /// Adds `files` to `models--<repo>/snapshots/<commit>` through blobs, and refs for `refs`.
    func add(repo: String, commit: String = commit, refs: [String] = ["main"], files: [String: String]) throws {
        let folder = root.url.appendingPathComponent("models--" + repo.replacingOccurrences(of: "/", with: "--"))
        let fm = FileManager.default
        try fm.createDirectory(at: folder.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: folder.appendingPathComponent("refs"), withIntermediateDirectories: true)
        let snapshot = folder.appendingPathComponent("snapshots/\(commit)")
        try fm.createDirectory(at: snapshot, withIntermediateDirectories: true)
        for (name, content) in files {
            let etag = FakeHub.gitSHA(Data(content.utf8))
            try Data(content.utf8).write(to: folder.appendingPathComponent("blobs/\(etag)"))
            try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path,
                                      withDestinationPath: "../../blobs/\(etag)")
        }
        for ref in refs { try Data(commit.utf8).write(to: folder.appendingPathComponent("refs/\(ref)")) }
    }

    static let modelFiles = ["config.json": "{\"model_type\": \"roberta\"}", "model.safetensors": "weights",
                             "tokenizer.json": "{}"]
}

@Suite("Offline resolution from the Hugging Face cache")
struct CacheLookupTests {
    @Test func mainRefToSnapshotThroughSymlinks() throws {
        let cache = try HandMadeCache()
        try cache.add(repo: "ccdv/lsg-base-4096", files: HandMadeCache.modelFiles)
        let folder = try ModelResolver(environment: cache.environment).resolve(name: "ccdv/lsg-base-4096")
        #expect(folder.path.hasSuffix("models--ccdv--lsg-base-4096/snapshots/\(HandMadeCache.commit)"))
        // The snapshot entry is a link into blobs/, readable through the folder.
        let config = folder.appendingPathComponent("config.json")
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: config.path)
        #expect(target.hasPrefix("../../blobs/"))
        #expect(try String(contentsOf: config, encoding: .utf8) == HandMadeCache.modelFiles["config.json"])
        #expect(config.resolvingSymlinksInPath().path.contains("/blobs/"))
    }

    @Test func namedRevisionAndCommitHash() throws {
        let cache = try HandMadeCache()
        try cache.add(repo: "org/m", files: HandMadeCache.modelFiles)
        try cache.add(repo: "org/m", commit: HandMadeCache.oldCommit, refs: ["v1.0"], files: HandMadeCache.modelFiles)
        let resolver = ModelResolver(environment: cache.environment)
        #expect(try resolver.resolve(name: "org/m", revision: "v1.0").lastPathComponent == HandMadeCache.oldCommit)
        #expect(try resolver.resolve(name: "org/m", revision: "main").lastPathComponent == HandMadeCache.commit)
        #expect(try resolver.resolve(name: "org/m", revision: HandMadeCache.oldCommit).lastPathComponent == HandMadeCache.oldCommit)
        #expect(throws: HubError.self) { try resolver.resolve(name: "org/m", revision: "v2.0") }
    }

    @Test("roberta-base and FacebookAI/roberta-base are the same model", arguments: [
        ("roberta-base", "FacebookAI/roberta-base"), ("FacebookAI/roberta-base", "roberta-base"),
        ("roberta-base", "roberta-base"),
    ])
    func alias(cached: String, asked: String) throws {
        let cache = try HandMadeCache()
        try cache.add(repo: cached, files: HandMadeCache.modelFiles)
        let folder = try ModelResolver(environment: cache.environment).resolve(name: asked)
        #expect(folder.deletingLastPathComponent().deletingLastPathComponent().lastPathComponent
                == "models--" + cached.replacingOccurrences(of: "/", with: "--"))
    }

    @Test func localPathWins() throws {
        let cache = try HandMadeCache()
        try cache.add(repo: "tiny", files: HandMadeCache.modelFiles)
        let cwdModel = try TemporaryDirectory("local-model")
        let folder = try ModelResolver(environment: cache.environment).resolve(name: cwdModel.path)
        #expect(folder.path == cwdModel.path)
        // An existing file path is returned as is too (never looked up on the hub).
        let file = cwdModel.url("model.safetensors")
        try Data("x".utf8).write(to: file)
        #expect(try ModelResolver(environment: cache.environment).resolve(name: file.path) == file)
    }

    @Test func notFoundListsEveryPlace() throws {
        let cache = try HandMadeCache()
        do {
            _ = try ModelResolver(environment: cache.environment).resolve(name: "roberta-base")
            Issue.record("expected an error")
        } catch let error as HubError {
            guard case .notFound(_, _, let searched, let reason) = error else { Issue.record("\(error)"); return }
            #expect(searched.count == 3)
            #expect(searched[1].contains("models--roberta-base"))
            #expect(searched[2].contains("models--FacebookAI--roberta-base"))
            #expect(reason.contains("HF_HUB_OFFLINE"))
            #expect(error.description.contains("models--FacebookAI--roberta-base"))
        }
    }

    @Test func incompleteSnapshotsDoNotCount() throws {
        let cache = try HandMadeCache()
        // config only (as after AutoConfig.from_pretrained), and a link to a deleted blob.
        try cache.add(repo: "org/partial", files: ["config.json": "{}"])
        try cache.add(repo: "org/broken", files: HandMadeCache.modelFiles)
        let broken = cache.root.url.appendingPathComponent("models--org--broken/blobs/\(FakeHub.gitSHA(Data("weights".utf8)))")
        try FileManager.default.removeItem(at: broken)
        let resolver = ModelResolver(environment: cache.environment)
        for name in ["org/partial", "org/broken"] {
            #expect { try resolver.resolve(name: name) } throws: { error in
                "\(error)".contains("incomplete: no weights")
            }
        }
        // The tokenizer requirement is satisfied by the broken-weights snapshot.
        #expect(try resolver.resolve(name: "org/broken", requirement: .tokenizer).lastPathComponent == HandMadeCache.commit)
    }

    @Test func shardedSnapshotNeedsEveryShard() throws {
        let cache = try HandMadeCache()
        let index = #"{"metadata": {}, "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}"#
        try cache.add(repo: "org/sharded", files: ["config.json": "{}", "model.safetensors.index.json": index,
                                                   "model-00001-of-00002.safetensors": "1"])
        #expect(throws: HubError.self) { try ModelResolver(environment: cache.environment).resolve(name: "org/sharded") }
        try cache.add(repo: "org/sharded2", files: ["config.json": "{}", "model.safetensors.index.json": index,
                                                    "model-00001-of-00002.safetensors": "1",
                                                    "model-00002-of-00002.safetensors": "2"])
        #expect(try ModelResolver(environment: cache.environment).resolve(name: "org/sharded2").lastPathComponent == HandMadeCache.commit)
    }
}
