import Foundation
import Testing
import TestSupport
@testable import HubCache

/// Older BERT checkpoints ship `vocab.txt` + `tokenizer_config.json` and no `tokenizer.json`.
@Suite("Downloads of vocab.txt-only tokenizers")
struct WordPieceDownloadTests {
    @Test(arguments: [ModelResolver.Requirement.tokenizer, .model])
    func vocabTXTIsFetchedWhenNothingElseIs(requirement: ModelResolver.Requirement) throws {
        let files: [String: FakeHub.File] = [
            "config.json": .init(data: Data(#"{"model_type": "bert"}"#.utf8), lfs: false),
            "model.safetensors": .init(data: Data((0..<300).map { UInt8($0 % 251) }), lfs: true),
            "vocab.txt": .init(data: Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n".utf8), lfs: false),
            "tokenizer_config.json": .init(data: Data(#"{"do_lower_case": true}"#.utf8), lfs: false),
        ]
        let (hub, _cache, resolver) = try DownloadTests.setUp(["org/old-bert": .init(commit: DownloadTests.commit, files: files, gatedToken: nil)])
        _ = _cache
        let folder = try resolver.resolve(name: "org/old-bert", requirement: requirement)
        #expect(try Data(contentsOf: folder.appendingPathComponent("vocab.txt")) == files["vocab.txt"]!.data)
        #expect(ModelResolver.missingFiles(in: folder, for: .tokenizer) == nil)
        withExtendedLifetime(hub) {}
    }

    @Test func vocabTXTIsNotRequestedBesideTokenizerJSON() throws {
        let (hub, _cache, resolver) = try DownloadTests.setUp(["org/tiny": DownloadTests.tinyRepo()])
        _ = _cache
        _ = try resolver.resolve(name: "org/tiny")
        #expect(!hub.requests.contains { $0.path.hasSuffix("/vocab.txt") })
    }
}
