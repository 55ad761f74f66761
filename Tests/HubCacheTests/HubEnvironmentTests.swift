import Foundation
import Testing
import TestSupport
@testable import HubCache

@Suite("Hub environment variables")
struct HubEnvironmentTests {
    @Test func cachePrecedence() {
        #expect(HubEnvironment(environment: ["HF_HUB_CACHE": "/a", "HF_HOME": "/b"]).cacheDirectory.path == "/a")
        #expect(HubEnvironment(environment: ["HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HOME": "/b"]).cacheDirectory.path == "/legacy")
        #expect(HubEnvironment(environment: ["HF_HOME": "/b", "XDG_CACHE_HOME": "/x"]).cacheDirectory.path == "/b/hub")
        #expect(HubEnvironment(environment: ["XDG_CACHE_HOME": "/x"]).cacheDirectory.path == "/x/huggingface/hub")
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        #expect(HubEnvironment(environment: [:]).cacheDirectory.path == home + "/.cache/huggingface/hub")
    }

    @Test func endpointTokenOffline() throws {
        let tmp = try TemporaryDirectory("hub-env")
        try Data("  file-token\n".utf8).write(to: tmp.url("token"))
        let env = HubEnvironment(environment: ["HF_ENDPOINT": "http://127.0.0.1:9/", "HF_HOME": tmp.path,
                                               "HF_HUB_OFFLINE": "1"])
        #expect(env.endpoint.absoluteString == "http://127.0.0.1:9")
        #expect(env.token == "file-token")
        #expect(env.offline)
        #expect(HubEnvironment(environment: ["HF_TOKEN": "t", "HF_HOME": tmp.path]).token == "t")
        #expect(HubEnvironment(environment: [:]).endpoint.absoluteString == "https://huggingface.co")
        #expect(!HubEnvironment(environment: ["HF_HUB_OFFLINE": "0"]).offline)
        #expect(HubEnvironment(environment: ["TRANSFORMERS_OFFLINE": "TRUE"]).offline)
    }

    @Test func aliases() {
        #expect(ModelAliases.candidates(for: "roberta-base") == ["roberta-base", "FacebookAI/roberta-base"])
        #expect(ModelAliases.candidates(for: "FacebookAI/roberta-base") == ["FacebookAI/roberta-base", "roberta-base"])
        #expect(ModelAliases.candidates(for: "distilroberta-base") == ["distilroberta-base", "distilbert/distilroberta-base"])
        #expect(ModelAliases.candidates(for: "ccdv/lsg-base-4096") == ["ccdv/lsg-base-4096"])
        #expect(ModelResolver.isRepoID("ccdv/lsg-base-4096"))
        #expect(!ModelResolver.isRepoID("./model"))
        #expect(!ModelResolver.isRepoID("/abs/path"))
        #expect(!ModelResolver.isRepoID("a/b/c"))
    }
}
