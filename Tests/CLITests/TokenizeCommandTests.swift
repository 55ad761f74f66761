import Foundation
import Testing
import TestSupport

/// `lsg-convert tokenize` end to end (the built executable), against ids recorded from the real
/// tokenizers library in fixtures/tokenizer/cases.json.
@Suite("lsg-convert tokenize")
struct TokenizeCommandTests {
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, stdout: String, stderr: String) {
        let r = try CommandRunner.run(arguments, environment: environment)
        return (r.exitCode, r.stdout, r.stderr)
    }

    /// Recorded ids of `text` for the `roberta-bpe` fixture tokenizer.
    static func recordedIDs(_ text: String) throws -> [Int] {
        let data = try Data(contentsOf: Fixtures.url("tokenizer/cases.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let tokenizers = try #require(json["tokenizers"] as? [[String: Any]])
        let plain = try #require(tokenizers.first { $0["tokenizer"] as? String == "roberta-bpe" })
        let cases = try #require(plain["cases"] as? [[String: Any]])
        let hit = try #require(cases.first { $0["text"] as? String == text })
        return try #require(hit["ids"] as? [Int])
    }

    static func jsonIDs(_ stdout: String) throws -> [[Int]] {
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [[String: Any]])
        return objects.map { $0["input_ids"] as? [Int] ?? [] }
    }

    @Test func folderJSONOutput() throws {
        let texts = ["Paris is the <mask> of France.", "Le café est très bon à Paris."]
        let result = try Self.run(["tokenize", Fixtures.path("tokenizer/roberta-bpe"), "--json"] + texts)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.jsonIDs(result.stdout) == texts.map(Self.recordedIDs))
    }

    @Test func cachedNameOffline() throws {
        // A cache holding the fixture tokenizer as huggingface_hub lays it out, under the org spelling.
        let cache = try TemporaryDirectory("cli-cache")
        let commit = String(repeating: "c", count: 40)
        let repo = cache.url.appendingPathComponent("models--FacebookAI--roberta-base")
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        let fm = FileManager.default
        try fm.createDirectory(at: snapshot, withIntermediateDirectories: true)
        try fm.createDirectory(at: repo.appendingPathComponent("blobs"), withIntermediateDirectories: true)
        try fm.createDirectory(at: repo.appendingPathComponent("refs"), withIntermediateDirectories: true)
        try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/main"))
        for (i, file) in ["tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"].enumerated() {
            let blob = "blob\(i)"
            try fm.copyItem(at: Fixtures.url("tokenizer/roberta-bpe/\(file)"), to: repo.appendingPathComponent("blobs/\(blob)"))
            try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent(file).path, withDestinationPath: "../../blobs/\(blob)")
        }
        let text = "I love it 😀😃!"
        let env = ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1"]
        let result = try Self.run(["tokenize", "roberta-base", "--json", text], environment: env)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try Self.jsonIDs(result.stdout) == [try Self.recordedIDs(text)])

        let plain = try Self.run(["tokenize", "roberta-base", text], environment: env)
        #expect(plain.stdout.contains("ids (\(try Self.recordedIDs(text).count)): "
                                      + (try Self.recordedIDs(text)).map(String.init).joined(separator: " ")))
    }

    @Test func unknownNameListsWhereItLooked() throws {
        let cache = try TemporaryDirectory("cli-empty")
        let result = try Self.run(["tokenize", "xlm-roberta-base", "x"],
                                  environment: ["HF_HUB_CACHE": cache.path, "HF_HUB_OFFLINE": "1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("models--xlm-roberta-base"))
        #expect(result.stderr.contains("models--FacebookAI--xlm-roberta-base"))
        #expect(result.stderr.contains("HF_HUB_OFFLINE"))
    }
}
