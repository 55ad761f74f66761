import Foundation
import Testing
import TestSupport

/// `lsg-convert tokenize` and `fill-mask`'s mask handling on BERT WordPiece folders, against
/// `fixtures/tokenizer/wordpiece/cases-0.15.2.json` (transformers 4.36.2 AutoTokenizer).
@Suite("lsg-convert with WordPiece tokenizers")
struct WordPieceCommandTests {
    static func recorded(_ tokenizer: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Fixtures.url("tokenizer/wordpiece/cases-0.15.2.json"))
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let all = try #require(json["tokenizers"] as? [[String: Any]])
        return try #require(all.first { $0["tokenizer"] as? String == tokenizer })
    }

    static func output(_ stdout: String) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [[String: Any]])
    }

    @Test("texts: ids and token type ids, tokenizer.json and vocab.txt-only folders",
          arguments: ["bert-uncased", "vocab-only", "vocab-only-legacy"])
    func texts(name: String) throws {
        let cases = try #require(try Self.recorded(name)["cases"] as? [[String: Any]])
        let chosen = ["Le café est très bon à Paris.", "Paris is the [MASK] of France.", "東京は日本の首都です。",
                      "cafe\u{301} decomposed vs caf\u{e9} precomposed"]
        // The subset-recorded folders (vocab-only) have the first texts but not all of these.
        let picked = Array(cases.prefix(6)) + cases.filter { chosen.contains($0["text"] as? String ?? "") }
        try #require(picked.count >= 6)
        let texts = picked.map { $0["text"] as! String }
        let result = try CommandRunner.run(["tokenize", Fixtures.path("tokenizer/wordpiece/\(name)"), "--json"] + texts)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let objects = try Self.output(result.stdout)
        #expect(objects.map { $0["input_ids"] as? [Int] ?? [] } == picked.map { $0["ids"] as! [Int] })
        #expect(objects.allSatisfy { ($0["token_type_ids"] as? [Int])?.allSatisfy { $0 == 0 } == true })
    }

    @Test("--pair: [CLS] A [SEP] B [SEP] with type ids, and --max-length with a strategy")
    func pairs() throws {
        let pairs = try #require(try Self.recorded("bert-cased")["pairs"] as? [[String: Any]])
        let p = try #require(pairs.first { ($0["a"] as? String)?.hasPrefix("What is LSG") == true })
        let a = p["a"] as! String, b = p["b"] as! String
        let folder = Fixtures.path("tokenizer/wordpiece/bert-cased")
        let result = try CommandRunner.run(["tokenize", folder, "--json", a, "--pair", b])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let object = try #require(try Self.output(result.stdout).first)
        #expect(object["input_ids"] as? [Int] == p["ids"] as? [Int])
        #expect(object["token_type_ids"] as? [Int] == p["type_ids"] as? [Int])

        let truncations = try #require(p["truncated"] as? [[String: Any]])
        let t = try #require(truncations.first { $0["max_length"] as? Int == 16 && $0["strategy"] as? String == "only_second" })
        let cut = try CommandRunner.run(["tokenize", folder, "--json", a, "--pair", b, "--max-length", "16",
                                         "--truncation-strategy", "only_second"])
        #expect(cut.exitCode == 0, "\(cut.stderr)")
        let cutObject = try #require(try Self.output(cut.stdout).first)
        #expect(cutObject["input_ids"] as? [Int] == t["ids"] as? [Int])
        #expect(cutObject["token_type_ids"] as? [Int] == t["type_ids"] as? [Int])

        let refused = try CommandRunner.run(["tokenize", folder, a, "--pair", b, "--max-length", "5",
                                             "--truncation-strategy", "only_first"])
        #expect(refused.exitCode != 0)
        #expect(refused.stderr.contains("cannot truncate"))
        let mismatched = try CommandRunner.run(["tokenize", folder, a, "b", "--pair", b])
        #expect(mismatched.exitCode != 0)
        #expect(mismatched.stderr.contains("once per text"))
    }

    @Test("fill-mask looks for the tokenizer's mask token: [MASK] for BERT, <mask> is plain text there")
    func fillMaskUsesTheTokenizersMask() throws {
        let folder = Fixtures.path("tokenizer/wordpiece/bert-uncased")
        let roberta = try CommandRunner.run(["fill-mask", folder, "Paris is the <mask> of France."])
        #expect(roberta.exitCode != 0)
        #expect(roberta.stderr.contains("No mask_token ([MASK]) found on the input"), "\(roberta.stderr)")
        // With [MASK] the text gets past the mask check to the model (this folder has only a tokenizer).
        let bert = try CommandRunner.run(["fill-mask", folder, "Paris is the [MASK] of France."])
        #expect(bert.exitCode != 0)
        #expect(!bert.stderr.contains("No mask_token"))
        #expect(bert.stderr.contains("config.json"), "\(bert.stderr)")
    }
}
