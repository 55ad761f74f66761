import Foundation
import Testing
import TestSupport

/// `tokenize`, `fill-mask` and `verify` on SentencePiece Unigram folders (XLM-R, CamemBERT), the
/// tokenizer chosen from tokenizer.json; texts from arguments, a file or standard input. Expected
/// values: fixtures/tokenizer/unigram-cases.json and fixtures/fill_mask/tiny-xlmr-lsg.json.
@Suite("lsg-convert on Unigram (XLM-R / CamemBERT) folders")
struct UnigramCommandTests {
    /// transformers' ids (with <s> ... </s>) recorded for the base folder `name` ("xlmr", "camembert").
    static func recorded(_ name: String) throws -> [(text: String, ids: [Int])] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("tokenizer/unigram-cases.json"))) as? [String: Any])
        let t = try #require((json["transformers"] as? [[String: Any]])?.first { $0["tokenizer"] as? String == name })
        return try #require(t["cases"] as? [[String: Any]]).map { ($0["text"] as! String, $0["ids"] as! [Int]) }
    }

    static func jsonIDs(_ stdout: String) throws -> [[Int]] {
        let objects = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [[String: Any]])
        return objects.map { $0["input_ids"] as? [Int] ?? [] }
    }

    @Test func tokenizeArgumentsFileAndStandardInput() throws {
        // Texts without newlines (one per line in a file); the empty text has no line of its own.
        let cases = try Self.recorded("camembert").filter { !$0.text.contains("\n") && !$0.text.contains("\r") && !$0.text.isEmpty }
        let folder = Fixtures.path("tokenizer/camembert-unigram")
        let byArgument = try CommandRunner.run(["tokenize", folder, "--json"] + cases.prefix(20).map(\.text))
        #expect(byArgument.exitCode == 0, "\(byArgument.stderr)")
        #expect(try Self.jsonIDs(byArgument.stdout) == cases.prefix(20).map(\.ids))

        let lines = Data(cases.map(\.text).joined(separator: "\n").utf8 + [0x0A])
        let tmp = try TemporaryDirectory("unigram-input")
        try lines.write(to: tmp.url("texts.txt"))
        let byFile = try CommandRunner.run(["tokenize", folder, "--json", "--input", tmp.url("texts.txt").path])
        #expect(byFile.exitCode == 0, "\(byFile.stderr)")
        #expect(try Self.jsonIDs(byFile.stdout) == cases.map(\.ids))
        let byStdin = try CommandRunner.run(["tokenize", folder, "--json", "--input", "-"], standardInput: lines)
        #expect(byStdin.exitCode == 0, "\(byStdin.stderr)")
        #expect(try Self.jsonIDs(byStdin.stdout) == cases.map(\.ids))
    }

    @Test func tokenizeWholeInputKeepsNewlines() throws {
        let cases = try Self.recorded("xlmr").filter { $0.text.contains("\n") && $0.text.utf8.count > 3 }
        try #require(!cases.isEmpty)
        for c in cases.prefix(4) {
            let result = try CommandRunner.run(["tokenize", Fixtures.path("models/tiny-xlmr-mlm"), "--json", "--input", "-", "--whole-input"],
                                               standardInput: Data(c.text.utf8))
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(try Self.jsonIDs(result.stdout) == [c.ids], "\(c.text.debugDescription)")
        }
        // A file that is not UTF-8, and --whole-input without --input, are refused clearly.
        let bad = try CommandRunner.run(["tokenize", Fixtures.path("models/tiny-xlmr-mlm"), "--input", "-"], standardInput: Data([0xFF, 0xFE, 0x41]))
        #expect(bad.exitCode != 0 && bad.stderr.contains("not UTF-8"))
        #expect(try CommandRunner.run(["tokenize", Fixtures.path("models/tiny-xlmr-mlm"), "x", "--whole-input"]).exitCode == 64)
    }

    @Test func unimplementedKindIsNamed() throws {
        let tmp = try TemporaryDirectory("unigram-kind")
        try Data(#"{"model": {"type": "WordLevel", "vocab": {}, "unk_token": "[UNK]"}}"#.utf8).write(to: tmp.url("tokenizer.json"))
        let result = try CommandRunner.run(["tokenize", tmp.path, "hello"])
        #expect(result.exitCode != 0)
        #expect(result.stderr.contains("tokenizer kind WordLevel is not implemented"))
    }

    /// Convert the tiny XLM-R with the CLI, then `fill-mask --json` its LSG folder (texts from a
    /// file), and `verify` it: the text-based inputs come from the Unigram tokenizer.
    @Test func convertFillMaskAndVerifyXLMR() throws {
        struct Candidate: Decodable { var score: Double; var token: Int; var token_str: String; var sequence: String }
        struct Run: Decodable { var model: String; var text: String; var predictions: [[Candidate]]? }
        struct Recorded: Decodable { var runs: [Run] }
        let runs = try JSONDecoder().decode(Recorded.self, from: Data(contentsOf: Fixtures.url("fill_mask/tiny-xlmr-lsg.json")))
            .runs.filter { $0.model == "tiny-xlmr-lsg-1024" }
        #expect(runs.count == 10)
        let work = try TemporaryDirectory("unigram-fill-mask")
        let converted = try CommandRunner.run([Fixtures.path("models/tiny-xlmr-mlm"), "--max-len", "1024", "-q", "--no-verify"],
                                              currentDirectory: work.url)
        #expect(converted.exitCode == 0, "\(converted.stderr)")
        let folder = work.url("tiny-xlmr-mlm-lsg-1024").path
        try Data(runs.map(\.text).joined(separator: "\n").utf8).write(to: work.url("texts.txt"))
        let result = try CommandRunner.run(["fill-mask", folder, "--json", "--input", work.url("texts.txt").path])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let perText = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [Any])
        try #require(perText.count == runs.count)
        for (got, run) in zip(perText, runs) {
            let want = try #require(run.predictions)
            // One mask: a list of candidates; several: a list of lists.
            let rows = (got as? [[String: Any]]).map { [$0] } ?? (got as! [[[String: Any]]])
            #expect(rows.count == want.count, "\(run.text)")
            for (g, w) in zip(rows, want) {
                #expect(g.map { $0["token"] as! Int } == w.map(\.token), "\(run.text)")
                #expect(g.map { $0["token_str"] as! String } == w.map(\.token_str), "\(run.text)")
                #expect(g.map { $0["sequence"] as! String } == w.map(\.sequence), "\(run.text)")
                for (a, b) in zip(g, w) { #expect(abs((a["score"] as! Double) - b.score) < 1e-5) }
            }
        }
        let verify = try CommandRunner.run(["verify", folder])
        #expect(verify.exitCode == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.stdout.contains("inputs: tokenizer on fixed text"))
    }
}
