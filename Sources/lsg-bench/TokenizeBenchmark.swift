import Foundation
import Tokenization

/// Tokenizing a 1 MB text (one string, no special tokens), ours in process beside Hugging Face
/// `tokenizers` (`Tokenizer.encode` through scripts/bench_reference.py) in the same run, on the
/// fixture tokenizers: the XLM-R-style SentencePiece Unigram (nmt_nfkc charsmap) and RoBERTa's
/// byte-level BPE. Both sides start from a fresh tokenizer per run (empty word cache; load not
/// timed), one warm-up, median of `runs`; the ids are compared.
struct TokenizeBenchmark {
    let dataRoot: URL
    let runs: Int
    let python: String?
    let script: String
    let logPath: String

    /// A deterministic ~1 MB multilingual text: sentences picked by an LCG, with the spacing,
    /// accents, CJK, emoji and newlines the fixtures cover.
    static func text(bytes: Int = 1 << 20) -> String {
        let sentences = [
            "Paris is the capital of France, and Berlin is the capital of Germany.",
            "Le café est très bon à Paris, où l'été est chaud ; élève, garçon, naïve, cœur.",
            "Die Straße ist schön, Mädchen und Jungen spielen über der Brücke.",
            "Long documents need long-context models: local, sparse and global attention.",
            "東京は日本の首都です。北京是中国的首都。서울은 한국의 수도입니다.",
            "Москва является столицей России. مرحبا بالعالم. שלום עולם.",
            "Numbers like 1234, 3.14159 and 2024-11-29 appear;  two  spaces\tand tabs.",
            "Emoji 😀 👍🏽 🇫🇷 and ﬁ ligatures, ｆｕｌｌ－ｗｉｄｔｈ letters, e\u{301} decomposed.",
            "The quick brown fox jumps over the lazy dog.\n",
        ]
        var out = ""
        var state: UInt64 = 2024
        while out.utf8.count < bytes {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            out += sentences[Int((state >> 33) % UInt64(sentences.count))]
            out += (state >> 20) % 7 == 0 ? "\n" : " "
        }
        return out
    }

    func run() throws {
        let text = Self.text()
        let textFile = dataRoot.appendingPathComponent("tokenize-1mb.txt")
        try Data(text.utf8).write(to: textFile)
        out("### Tokenizing a 1 MB text (\(text.utf8.count) bytes, one string, no special tokens), in process, median of \(runs) after a warm-up")
        out()
        out("Ours: `encode(addSpecialTokens: false)` of the folder's tokenizer (TokenizerLoader); reference: Hugging Face `tokenizers` \(referenceVersion() ?? "?") `Tokenizer.encode` in `\(script)`, same file, same run. Fresh tokenizer per run on both sides (empty word caches), load not timed.")
        out()
        out("| tokenizer | ids | ours s | ours MB/s | reference s | reference MB/s | ratio (reference / ours) | ids identical | load |")
        out("|---|---|---|---|---|---|---|---|---|")
        let megabytes = Double(text.utf8.count) / 1e6
        for (label, folder) in [("XLM-R-style Unigram (fixtures/models/tiny-xlmr-mlm, 785 pieces, nmt_nfkc charsmap)", "fixtures/models/tiny-xlmr-mlm"),
                                ("RoBERTa byte-level BPE (fixtures/tokenizer/roberta-bpe, 701 ids)", "fixtures/tokenizer/roberta-bpe")] {
            let url = URL(fileURLWithPath: folder)
            var times: [Double] = []
            var ids: [Int] = []
            for run in 0...runs {
                let tokenizer = try TokenizerLoader.load(folder: url)
                let t = seconds { ids = tokenizer.encode(text, addSpecialTokens: false, truncation: false, maxLength: nil).ids }
                if run > 0 { times.append(t.wall) }
            }
            let ourSeconds = median(times)
            var refCells = "not run (no reference environment) | | | |"
            if let python {
                let idsOut = dataRoot.appendingPathComponent("tokenize-reference-ids.json")
                let resultLog = dataRoot.appendingPathComponent("tokenize-reference.log").path
                try? FileManager.default.removeItem(atPath: resultLog)
                let r = try ChildRun.run([python, script, "tokenize", url.appendingPathComponent("tokenizer.json").path, textFile.path, "\(runs)", idsOut.path],
                                         logPath: resultLog)
                let lastLine = ((try? String(contentsOfFile: resultLog, encoding: .utf8)) ?? "").split(separator: "\n").last.map(String.init) ?? ""
                if r.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(lastLine.utf8)) as? [String: Any],
                   let refSeconds = object["seconds"] as? Double,
                   let refIDs = try? JSONSerialization.jsonObject(with: Data(contentsOf: idsOut)) as? [Int] {
                    refCells = "\(f(refSeconds, 3)) | \(f(megabytes / refSeconds, 2)) | \(f(refSeconds / ourSeconds, 2)) | \(refIDs == ids ? "yes" : "NO (\(refIDs.count) vs \(ids.count))") |"
                } else {
                    refCells = "failed (see \(resultLog)) | | | |"
                }
            }
            out("| \(label) | \(ids.count) | \(f(ourSeconds, 3)) | \(f(megabytes / ourSeconds, 2)) | \(refCells) \(load1()) |")
        }
        out()
    }

    private func referenceVersion() -> String? {
        guard let python else { return nil }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = ["-c", "import tokenizers; print(tokenizers.__version__)"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        p.waitUntilExit()
        return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
