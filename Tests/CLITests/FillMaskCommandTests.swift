import Foundation
import Testing
import TestSupport

/// `lsg-convert fill-mask` against transformers 4.36.2 `pipeline("fill-mask")` recorded in
/// `fixtures/tokenizer/fill_mask.json` (tiny RoBERTa) and `fixtures/fill_mask/tiny-lsg-1024.json`
/// (the reference's LSG conversion of it, max length 1024).
@Suite struct FillMaskCommandTests {
    struct Candidate: Decodable, Equatable {
        var score: Double
        var token: Int
        var token_str: String
        var sequence: String
    }

    struct Run: Decodable {
        var model: String?
        var tokenizer: String?
        var text: String
        var predictions: [[Candidate]]?
        var error: String?
    }

    struct Recorded: Decodable { var runs: [Run] }

    static func runs(_ fixture: String, model: String) throws -> [Run] {
        try JSONDecoder().decode(Recorded.self, from: Data(contentsOf: Fixtures.url(fixture)))
            .runs.filter { ($0.model ?? $0.tokenizer) == model }
    }

    /// The pipeline's shape for one text: a list of candidates for a single mask, a list of lists for several.
    enum TextResult: Decodable {
        case single([Candidate])
        case several([[Candidate]])

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let rows = try? container.decode([[Candidate]].self) { self = .several(rows) } else {
                self = .single(try container.decode([Candidate].self))
            }
        }

        var rows: [[Candidate]] {
            switch self {
            case .single(let row): [row]
            case .several(let rows): rows
            }
        }
    }

    /// Same ids and strings as the reference, scores within 1e-5.
    static func expectMatches(_ got: [[Candidate]], _ want: [[Candidate]], _ text: String) {
        #expect(got.count == want.count, "\(text): \(got.count) masks")
        for (g, w) in zip(got, want) {
            #expect(g.map(\.token) == w.map(\.token), "\(text)")
            #expect(g.map(\.token_str) == w.map(\.token_str), "\(text)")
            #expect(g.map(\.sequence) == w.map(\.sequence), "\(text)")
            for (a, b) in zip(g, w) { #expect(abs(a.score - b.score) < 1e-5, "\(text): \(a.score) vs \(b.score)") }
        }
    }

    @Test("several texts, single and several masks: one entry per text, as the pipeline returns them")
    func tinyRobertaJSON() throws {
        let runs = try Self.runs("tokenizer/fill_mask.json", model: "tiny-roberta-mlm")
        #expect(runs.count == 8)
        let result = try CommandRunner.run(["fill-mask", Fixtures.path("models/tiny-roberta-mlm"), "--json"] + runs.map(\.text))
        #expect(result.exitCode == 0, "\(result.stderr)")
        let perText = try JSONDecoder().decode([TextResult].self, from: Data(result.stdout.utf8))
        try #require(perText.count == runs.count)
        for (got, run) in zip(perText, runs) {
            let want = try #require(run.predictions)
            if case .single = got { #expect(want.count == 1) } else { #expect(want.count > 1) }
            Self.expectMatches(got.rows, want, run.text)
        }
    }

    @Test("one text: the pipeline's own structure and key order")
    func singleTextStructure() throws {
        let model = Fixtures.path("models/tiny-roberta-mlm")
        let one = try CommandRunner.run(["fill-mask", model, "Paris is the <mask> of France.", "--json", "--top-k", "2"])
        #expect(one.exitCode == 0, "\(one.stderr)")
        // json.dumps of the pipeline's list: score, token, token_str, sequence; non-ASCII escaped.
        #expect(one.stdout.hasPrefix("[{\"score\": 0.0224910"))
        #expect(one.stdout.contains("\"token\": 159, \"token_str\": \"\\ufffd\", \"sequence\": \"Paris is the\\ufffd of France.\"}, {\"score\": 0.019691"))
        let rows = try JSONDecoder().decode([Candidate].self, from: Data(one.stdout.utf8))
        #expect(rows.map(\.token) == [159, 127])

        let two = try CommandRunner.run(["fill-mask", model, "two <mask> <mask> masks", "--json", "--top-k", "3"])
        #expect(two.exitCode == 0, "\(two.stderr)")
        let lists = try JSONDecoder().decode([[Candidate]].self, from: Data(two.stdout.utf8))
        #expect(lists.map(\.count) == [3, 3])
        #expect(lists[1].first?.sequence == "<s>two<mask> b masks</s>")
    }

    @Test("human output lists score, token, token_str and sequence per mask")
    func humanOutput() throws {
        let result = try CommandRunner.run(["fill-mask", Fixtures.path("models/tiny-roberta-mlm"),
                                            "The <mask> brown fox jumps over the lazy dog.", "two <mask> <mask> masks"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "text 1: \"The <mask> brown fox jumps over the lazy dog.\" (29 tokens)")
        #expect(lines.contains("  0.0353    222  \"\\u{1E}\"   \"The\\u{1E} brown fox jumps over the lazy dog.\""))
        #expect(lines.contains("mask 2 of 2 (token 5):"))
        #expect(lines.contains("  0.0314    296  \" b\"       \"<s>two<mask> b masks</s>\""))
    }

    @Test("a text without <mask>, or whose masks truncation removed, is an error")
    func noMask() throws {
        let model = Fixtures.path("models/tiny-roberta-mlm")
        let plain = try CommandRunner.run(["fill-mask", model, "Paris is the <mask> of France.", "no mask here"])
        #expect(plain.exitCode == 2)
        #expect(plain.stdout.isEmpty)
        #expect(plain.stderr.contains("text 2: No mask_token (<mask>) found on the input"))

        let run = try #require(try Self.runs("fill_mask/tiny-lsg-1024.json", model: "tiny-roberta-mlm").first { $0.error != nil })
        let truncated = try CommandRunner.run(["fill-mask", model, run.text])
        #expect(truncated.exitCode == 2)
        #expect(truncated.stderr.contains("\(run.error!) (after truncation to model_max_length 512)"))

        let noHead = try CommandRunner.run(["fill-mask", Fixtures.path("conversion/sources/tiny-model"), "a <mask>"])
        #expect(noHead.exitCode == 2)
        #expect(noHead.stderr.contains("no masked-LM head"))
        #expect(try CommandRunner.run(["fill-mask", model, "a <mask>", "--top-k", "0"]).exitCode == 64)
    }

    @Test("README flow: convert a cached roberta-base, then fill-mask the LSG folder (long text, sparse path)")
    func convertFromCacheThenFillMask() throws {
        // A Hugging Face cache holding the tiny model as FacebookAI/roberta-base (blobs + snapshot links).
        let temp = try TemporaryDirectory("fill-mask-flow")
        let fm = FileManager.default
        let repo = temp.url("hub/models--FacebookAI--roberta-base")
        let commit = "fedcba9876543210fedcba9876543210fedcba98"
        let snapshot = repo.appendingPathComponent("snapshots/\(commit)")
        for folder in [snapshot, repo.appendingPathComponent("blobs"), repo.appendingPathComponent("refs")] {
            try fm.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        try Data(commit.utf8).write(to: repo.appendingPathComponent("refs/main"))
        let source = Fixtures.url("models/tiny-roberta-mlm")
        for name in try fm.contentsOfDirectory(atPath: source.path) {
            try fm.copyItem(at: source.appendingPathComponent(name), to: repo.appendingPathComponent("blobs/blob-\(name)"))
            try fm.createSymbolicLink(atPath: snapshot.appendingPathComponent(name).path, withDestinationPath: "../../blobs/blob-\(name)")
        }
        let env = ["HF_HUB_CACHE": temp.url("hub").path, "HF_HUB_OFFLINE": "1"]
        let work = temp.url("work")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)

        // The cached RoBERTa itself answers by name.
        let tinyRuns = try Self.runs("tokenizer/fill_mask.json", model: "tiny-roberta-mlm")
        let byName = try CommandRunner.run(["fill-mask", "roberta-base", "--json", tinyRuns[0].text], environment: env, currentDirectory: work)
        #expect(byName.exitCode == 0, "\(byName.stderr)")
        Self.expectMatches(try JSONDecoder().decode(TextResult.self, from: Data(byName.stdout.utf8)).rows,
                           try #require(tinyRuns[0].predictions), tinyRuns[0].text)

        let converted = try CommandRunner.run(["roberta-base", "--max-len", "1024", "-q", "--no-verify"], environment: env, currentDirectory: work)
        #expect(converted.exitCode == 0, "\(converted.stderr)")
        // Short texts plus the 456-token text with three masks (4 blocks of 128: sparse attention, adaptive padding).
        let lsgRuns = try Self.runs("fill_mask/tiny-lsg-1024.json", model: "tiny-lsg-1024").filter { $0.predictions != nil }
        let chosen = Array(lsgRuns.prefix(8)) + lsgRuns.filter { $0.text.hasPrefix("The <mask> of this text is long.") }
        #expect(chosen.count == 9)
        let result = try CommandRunner.run(["fill-mask", "roberta-base-lsg-1024", "--json"] + chosen.map(\.text),
                                           environment: env, currentDirectory: work)
        #expect(result.exitCode == 0, "\(result.stderr)")
        let perText = try JSONDecoder().decode([TextResult].self, from: Data(result.stdout.utf8))
        try #require(perText.count == chosen.count)
        for (got, run) in zip(perText, chosen) { Self.expectMatches(got.rows, try #require(run.predictions), run.text) }
    }
}
