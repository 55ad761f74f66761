import Foundation
import Testing
import TestSupport
@testable import HubCache

/// Checks against `fixtures/hub/cache`, a cache written by the real huggingface_hub 0.36.2
/// (`fixtures/make_hub_fixtures.py`) from a local server answering as the hub does.
@Suite("Layout written by the real huggingface_hub")
struct RealCacheLayoutTests {
    struct Manifest: Decodable {
        struct File: Decodable { let lfs: Bool; let etag: String; let size: Int }
        let repo: String
        let commit: String
        let files: [String: File]
    }

    static let manifest: Manifest = try! JSONDecoder().decode(
        Manifest.self, from: Data(contentsOf: Fixtures.url("hub/manifest.json")))

    static func served(_ name: String) throws -> Data { try Data(contentsOf: Fixtures.url("hub/served/\(name)")) }

    /// Every entry under `folder`: relative path -> "dir", "link <target>" or "file <bytes>".
    static func tree(_ folder: URL) throws -> [String: String] {
        let fm = FileManager.default
        var out: [String: String] = [:]
        for sub in try fm.subpathsOfDirectory(atPath: folder.path) {
            let path = folder.appendingPathComponent(sub).path
            if let target = try? fm.destinationOfSymbolicLink(atPath: path) {
                out[sub] = "link \(target)"
            } else {
                var isDir: ObjCBool = false
                _ = fm.fileExists(atPath: path, isDirectory: &isDir)
                out[sub] = isDir.boolValue ? "dir" : "file \(try Data(contentsOf: URL(fileURLWithPath: path)).base64EncodedString())"
            }
        }
        return out
    }

    @Test func resolvesTheRealCacheOffline() throws {
        let env = HubEnvironment(cacheDirectory: Fixtures.url("hub/cache"), offline: true)
        let resolver = ModelResolver(environment: env)
        let snapshot = try resolver.resolve(name: Self.manifest.repo)
        #expect(snapshot.lastPathComponent == Self.manifest.commit)
        for name in Self.manifest.files.keys {
            #expect(try Data(contentsOf: snapshot.appendingPathComponent(name)) == Self.served(name), "\(name)")
        }
        #expect(try resolver.resolve(name: Self.manifest.repo, revision: Self.manifest.commit) == snapshot)
        #expect(try resolver.resolve(name: Self.manifest.repo, requirement: .tokenizer) == snapshot)
        let layout = HubCacheLayout(cacheDirectory: env.cacheDirectory, repoID: Self.manifest.repo)
        #expect(layout.knownMissing("special_tokens_map.json", commit: Self.manifest.commit))
    }

    @Test func ourDownloadWritesTheSameTree() throws {
        let hub = try FakeHub()
        var files: [String: FakeHub.File] = [:]
        for (name, f) in Self.manifest.files {
            files[name] = .init(data: try Self.served(name), lfs: f.lfs, etag: f.etag)
        }
        hub.add(Self.manifest.repo, .init(commit: Self.manifest.commit, files: files, gatedToken: nil))
        let cache = try TemporaryDirectory("hub-same-tree")
        let resolver = ModelResolver(environment: HubEnvironment(cacheDirectory: cache.url, endpoint: hub.endpoint))
        _ = try resolver.resolve(name: Self.manifest.repo)
        let folder = "models--" + Self.manifest.repo.replacingOccurrences(of: "/", with: "--")
        let ours = try Self.tree(cache.url.appendingPathComponent(folder))
        let real = try Self.tree(Fixtures.url("hub/cache").appendingPathComponent(folder))
        #expect(ours == real)
        for key in Set(ours.keys).symmetricDifference(real.keys).sorted() {
            Issue.record("only in \(ours[key] == nil ? "huggingface_hub's" : "our") cache: \(key)")
        }
        withExtendedLifetime(hub) {}
    }
}
