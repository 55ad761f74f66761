import Foundation
import Testing
import TestSupport
@testable import HubCache

@Suite("Downloads from a local hub server")
struct DownloadTests {
    static let commit = "aaaabbbbccccddddeeeeffff0000111122223333"

    static func tinyRepo(weights: [String: Data] = ["model.safetensors": Data((0..<5000).map { UInt8($0 % 251) })],
                         gatedToken: String? = nil) -> FakeHub.Repo {
        var files: [String: FakeHub.File] = [
            "config.json": .init(data: Data(#"{"model_type": "roberta", "vocab_size": 701}"#.utf8), lfs: false),
            "vocab.json": .init(data: Data(#"{"a": 0}"#.utf8), lfs: false),
            "merges.txt": .init(data: Data("#version: 0.2\n".utf8), lfs: false),
            "tokenizer.json": .init(data: Data(#"{"model": {}}"#.utf8), lfs: false),
        ]
        for (name, data) in weights { files[name] = .init(data: data, lfs: name.hasSuffix(".safetensors") || name.hasSuffix(".bin")) }
        return .init(commit: commit, files: files, gatedToken: gatedToken)
    }

    static func setUp(_ repos: [String: FakeHub.Repo], token: String? = nil) throws -> (FakeHub, TemporaryDirectory, ModelResolver) {
        let hub = try FakeHub()
        for (id, repo) in repos { hub.add(id, repo) }
        let cache = try TemporaryDirectory("hf-download")
        let env = HubEnvironment(cacheDirectory: cache.url, endpoint: hub.endpoint, token: token, offline: false)
        return (hub, cache, ModelResolver(environment: env))
    }

    @Test func downloadsIntoTheStandardLayout() throws {
        let repo = Self.tinyRepo()
        let (hub, cache, resolver) = try Self.setUp(["org/tiny": repo])
        let folder = try resolver.resolve(name: "org/tiny")
        let modelFolder = cache.url.appendingPathComponent("models--org--tiny")
        #expect(folder.path == modelFolder.appendingPathComponent("snapshots/\(Self.commit)").path)
        #expect(try String(contentsOf: modelFolder.appendingPathComponent("refs/main"), encoding: .utf8) == Self.commit)
        let fm = FileManager.default
        for (name, file) in repo.files {
            let link = folder.appendingPathComponent(name)
            // Blob named by the LFS sha256 (X-Linked-Etag) or the git ETag; relative symlink.
            let etag = file.lfs ? FakeHub.sha256(file.data) : FakeHub.gitSHA(file.data)
            #expect(try fm.destinationOfSymbolicLink(atPath: link.path) == "../../blobs/\(etag)")
            #expect(try Data(contentsOf: link) == file.data)
        }
        #expect(!fm.fileExists(atPath: folder.appendingPathComponent("special_tokens_map.json").path))
        #expect((try fm.contentsOfDirectory(atPath: modelFolder.appendingPathComponent("blobs").path)).allSatisfy { !$0.hasSuffix(".incomplete") })
        // The LFS file went through the CDN redirect.
        #expect(hub.requests.contains { $0.path.hasPrefix("/cdn/") && $0.method == "GET" })

        // Second call: served from the cache, no request; offline as well.
        let before = hub.requests.count
        #expect(try resolver.resolve(name: "org/tiny") == folder)
        var offline = resolver
        offline.environment.offline = true
        #expect(try offline.resolve(name: "org/tiny") == folder)
        #expect(hub.requests.count == before)
    }

    @Test("weights fallbacks: sharded safetensors, then pytorch_model.bin")
    func weightFallbacks() throws {
        let index = Data(#"{"metadata": {"total_size": 8}, "weight_map": {"x": "model-00001-of-00002.safetensors", "y": "model-00002-of-00002.safetensors", "z": "model-00002-of-00002.safetensors"}}"#.utf8)
        let sharded = Self.tinyRepo(weights: ["model.safetensors.index.json": index,
                                              "model-00001-of-00002.safetensors": Data("one".utf8),
                                              "model-00002-of-00002.safetensors": Data("two".utf8)])
        let torch = Self.tinyRepo(weights: ["pytorch_model.bin": Data("torch".utf8)])
        let (hub, _, resolver) = try Self.setUp(["org/sharded": sharded, "org/torch": torch])
        let s = try resolver.resolve(name: "org/sharded")
        #expect(try Data(contentsOf: s.appendingPathComponent("model-00002-of-00002.safetensors")) == Data("two".utf8))
        #expect(hub.requests.contains { $0.path.hasSuffix("/model.safetensors") && $0.method == "HEAD" })
        let t = try resolver.resolve(name: "org/torch")
        #expect(try Data(contentsOf: t.appendingPathComponent("pytorch_model.bin")) == Data("torch".utf8))
        // Every file after config.json is asked at the pinned commit.
        #expect(hub.requests.filter { $0.path.hasPrefix("/org/torch/resolve/\(Self.commit)/") }.count >= 4)
        // A 404 seen at a commit is remembered as huggingface_hub does.
        #expect(FileManager.default.fileExists(atPath: t.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent(".no_exist/\(Self.commit)/model.safetensors").path))
    }

    @Test func gatedModelNeedsToken() throws {
        let repos = ["org/gated": Self.tinyRepo(gatedToken: "secret")]
        let (hub0, _, anonymous) = try Self.setUp(repos)
        defer { withExtendedLifetime(hub0) {} }
        #expect { try anonymous.resolve(name: "org/gated") } throws: { error in
            guard case HubError.gatedOrPrivate(let repo, _, 401, false) = error else { return false }
            return repo == "org/gated" && "\(error)".contains("set HF_TOKEN")
        }
        let (hub, _, authorized) = try Self.setUp(repos, token: "secret")
        let folder = try authorized.resolve(name: "org/gated")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
        #expect(hub.requests.filter { $0.path.hasPrefix("/org/") }.allSatisfy { $0.header("Authorization") == "Bearer secret" })
    }

    @Test func missingModelAndRevision() throws {
        let noConfig = FakeHub.Repo(commit: Self.commit, files: [:], gatedToken: nil)
        let (hub, _, resolver) = try Self.setUp(["org/tiny": Self.tinyRepo(), "org/empty": noConfig])
        defer { withExtendedLifetime(hub) {} }
        #expect { try resolver.resolve(name: "org/nothing") } throws: { error in
            if case HubError.noSuchModel = error { return true } else { return false }
        }
        #expect { try resolver.resolve(name: "org/empty") } throws: { error in
            if case HubError.noSuchModel(let repo, _) = error { return repo == "org/empty" } else { return false }
        }
        #expect { try resolver.resolve(name: "org/tiny", revision: "v9") } throws: { error in
            if case HubError.noSuchRevision = error { return true } else { return false }
        }
        var offline = resolver
        offline.environment.offline = true
        #expect { try offline.resolve(name: "org/tiny") } throws: { error in
            if case HubError.notFound = error { return true } else { return false }
        }
    }

    @Test func renamedRepositoryIsFollowedAndCachedUnderTheAskedName() throws {
        let (hub, cache, resolver) = try Self.setUp(["FacebookAI/roberta-base": Self.tinyRepo()])
        hub.rename("roberta-base", to: "FacebookAI/roberta-base")
        let folder = try resolver.resolve(name: "roberta-base")
        #expect(folder.path.hasPrefix(cache.url.appendingPathComponent("models--roberta-base").path))
        #expect(hub.requests.contains { $0.path.hasPrefix("/FacebookAI/roberta-base/resolve/") })
        // And the alias finds it offline under the other spelling.
        var offline = resolver
        offline.environment.offline = true
        #expect(try offline.resolve(name: "FacebookAI/roberta-base") == folder)
    }

    @Test func interruptedDownloadResumesWithRange() throws {
        let weights = Data((0..<40_000).map { UInt8(($0 * 7) % 256) })
        let (hub, cache, resolver) = try Self.setUp(["org/big": Self.tinyRepo(weights: ["model.safetensors": weights])])
        hub.dropNextCDNResponse(after: 12_345)
        #expect(throws: HubError.self) { try resolver.resolve(name: "org/big") }
        let blob = cache.url.appendingPathComponent("models--org--big/blobs/\(FakeHub.sha256(weights))")
        let partial = URL(fileURLWithPath: blob.path + ".incomplete")
        #expect(try Data(contentsOf: partial) == weights.prefix(12_345))

        let folder = try resolver.resolve(name: "org/big")
        #expect(try Data(contentsOf: folder.appendingPathComponent("model.safetensors")) == weights)
        #expect(hub.requests.contains { $0.path.hasPrefix("/cdn/") && $0.header("Range") == "bytes=12345-" })
        #expect(!FileManager.default.fileExists(atPath: partial.path))
    }

    @Test func tokenizerOnlyDownload() throws {
        let (hub, _, resolver) = try Self.setUp(["org/tiny": Self.tinyRepo()])
        defer { withExtendedLifetime(hub) {} }
        let folder = try resolver.resolve(name: "org/tiny", requirement: .tokenizer)
        let fm = FileManager.default
        #expect(fm.fileExists(atPath: folder.appendingPathComponent("tokenizer.json").path))
        #expect(fm.fileExists(atPath: folder.appendingPathComponent("config.json").path))
        #expect(!fm.fileExists(atPath: folder.appendingPathComponent("model.safetensors").path))
    }
}
