import Foundation
import Testing
import TestSupport
@testable import Tokenization

@Suite("WordPiece folders, dispatch and fill-mask strings")
struct WordPieceFolderTests {
    static func copy(_ fixture: String, to tmp: TemporaryDirectory, except: Set<String> = []) throws {
        let folder = Fixtures.url(fixture)
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where !except.contains(file) {
            try FileManager.default.copyItem(at: folder.appendingPathComponent(file), to: tmp.url(file))
        }
    }

    @Test("the loader picks WordPiece from tokenizer.json's model type and from vocab.txt")
    func dispatch() throws {
        #expect(try TokenizerLoader.load(folder: Fixtures.url("tokenizer/wordpiece/bert-uncased")) is WordPieceTokenizer)
        #expect(try TokenizerLoader.load(folder: Fixtures.url("tokenizer/wordpiece/vocab-only")) is WordPieceTokenizer)
        #expect(try TokenizerLoader.load(folder: Fixtures.url("tokenizer/roberta-bpe")) is RobertaTokenizer)
        let tmp = try TemporaryDirectory("wp-empty")
        #expect(throws: TokenizerError.noTokenizerFiles(folder: tmp.path)) { try TokenizerLoader.load(folder: tmp.url) }
        #expect(!TokenizerLoader.hasTokenizerFiles(in: tmp.url))
    }

    /// The file stores truncation to 16 and Fixed padding to 24; transformers applies neither
    /// (the recorded ids are longer than 16 and not padded), so neither do we.
    @Test("truncation and padding stored in tokenizer.json are ignored, as AutoTokenizer does")
    func storedTruncationIgnored() throws {
        let folder = Fixtures.url("tokenizer/wordpiece/sentence-embedding")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("tokenizer.json"))) as? [String: Any])
        let stored = try #require(json["truncation"] as? [String: Any])
        #expect(stored["max_length"] as? Int == 16)
        #expect(json["padding"] is [String: Any])
        let recorded = RecordedWordPiece.named("sentence-embedding", version: "0.15.2")
        let long = try #require(recorded.cases.first { $0.ids.count > 24 })
        let short = try #require(recorded.cases.first { $0.ids.count < 16 && $0.ids.count > 2 })
        let tokenizer = try WordPieceTokenizer(folder: folder)
        #expect(tokenizer.encode(long.text).ids == long.ids)
        #expect(tokenizer.encode(short.text).ids == short.ids)
        // Asked for, truncation goes to model_max_length (tokenizer_config), not to the file's 16.
        #expect(tokenizer.modelMaxLength == 64)
        #expect(tokenizer.encode(long.text, truncation: true).ids == (long.ids_truncated ?? long.ids))
        #expect(tokenizer.encode(long.text, truncation: true).ids.count == min(64, long.ids.count))
    }

    @Test("fill-mask token strings and sequences match the transformers pipeline")
    func fillMaskStrings() throws {
        let recorded = try JSONDecoder().decode(RecordedFillMask.self,
                                                from: Data(contentsOf: Fixtures.url("tokenizer/wordpiece/fill_mask.json")))
        #expect(recorded.runs.count == 14)
        var checked = 0
        for run in recorded.runs {
            let tokenizer = try TokenizerLoader.load(folder: Fixtures.url(run.folder))
            #expect(tokenizer.maskToken == "[MASK]")
            let encoding = tokenizer.encode(run.text, addSpecialTokens: true, truncation: false, maxLength: nil)
            #expect(encoding.ids == run.input_ids, "\(run.tokenizer): \(run.text)")
            let masks = encoding.positions(of: tokenizer.maskTokenID)
            try #require(masks.count == run.predictions.count)
            for (mask, row) in zip(masks, run.predictions) {
                for p in row {
                    let text = tokenizer.fillMaskText(inputIDs: encoding.ids, maskPosition: mask, candidate: p.token, maskCount: masks.count)
                    #expect(sameScalars(text.tokenString, p.token_str), "\(run.tokenizer) \(run.text) token \(p.token)")
                    #expect(sameScalars(text.sequence, p.sequence), "\(run.tokenizer) \(run.text) token \(p.token)")
                    checked += 1
                }
            }
        }
        #expect(checked == (14 + 2 * 2) * 5)   // 2 two-mask texts per tokenizer
    }

    @Test("a tokenizer.json without tokenizer_config.json keeps the file's normalizer")
    func noConfig() throws {
        let tmp = try TemporaryDirectory("wp-noconfig")
        try Self.copy("tokenizer/wordpiece/bert-cased", to: tmp, except: ["tokenizer_config.json", "special_tokens_map.json"])
        let tokenizer = try WordPieceTokenizer(folder: tmp.url)
        let recorded = RecordedWordPiece.named("bert-cased", version: "0.15.2")
        for c in recorded.cases.prefix(40) { #expect(tokenizer.encode(c.text).ids == c.ids, "\(c.text.debugDescription)") }
        #expect(tokenizer.modelMaxLength == nil)
    }

    @Test("unsupported and broken files give typed errors naming the file")
    func errors() throws {
        let tmp = try TemporaryDirectory("wp-bad")
        try Self.copy("tokenizer/wordpiece/bert-uncased", to: tmp)
        let file = tmp.url("tokenizer.json")
        let original = try Data(contentsOf: file)
        func rewrite(_ edit: (inout [String: Any]) -> Void) throws {
            var json = try #require(try JSONSerialization.jsonObject(with: original) as? [String: Any])
            edit(&json)
            try JSONSerialization.data(withJSONObject: json).write(to: file)
        }
        try rewrite { $0["normalizer"] = ["type": "NFKC"] }
        #expect(throws: TokenizerError.unsupported(file: file.path, what: "normalizer NFKC for a WordPiece tokenizer")) {
            try WordPieceTokenizer(folder: tmp.url)
        }
        try rewrite { json in
            var model = json["model"] as! [String: Any]
            model["unk_token"] = "<unknown>"
            json["model"] = model
        }
        #expect(throws: TokenizerError.self) { try WordPieceTokenizer(folder: tmp.url) }
        try Data("{not json".utf8).write(to: file)
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(folder: tmp.url) }
        do {
            _ = try WordPieceTokenizer(folder: tmp.url)
            Issue.record("a broken tokenizer.json loaded")
        } catch let error as TokenizerError {
            #expect(error.description.contains(file.path))
        }
    }

    @Test("RoBERTa refuses pairs with a clear error")
    func robertaPairs() throws {
        let tokenizer = try TokenizerLoader.load(folder: Fixtures.url("tokenizer/roberta-bpe"))
        #expect(throws: TokenizerError.unsupportedRequest("text pairs are only implemented for WordPiece (BERT) tokenizers")) {
            try tokenizer.encode("a", pair: "b", addSpecialTokens: true, truncation: nil, maxLength: nil)
        }
    }
}

@Suite("WordPiece vocabularies keep canonically equivalent tokens apart")
struct WordPieceExactVocabularyTests {
    /// `é` (U+00E9) and `e` + U+0301 are different tokens for the reference (Rust compares bytes);
    /// with accents kept (cased, strip_accents false) each spelling must find its own id.
    @Test(arguments: [false, true])
    func precomposedAndDecomposed(vocabTXT: Bool) throws {
        let tmp = try TemporaryDirectory("wp-nfc")
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "caf\u{e9}", "cafe\u{301}", "cafe", "##\u{301}"]
        if vocabTXT {
            try Data((tokens.joined(separator: "\n") + "\n").utf8).write(to: tmp.url("vocab.txt"))
        } else {
            // The layout transformers writes, with the vocabulary as a JSON object.
            let vocab = tokens.enumerated().map { "\"\($0.element)\": \($0.offset)" }.joined(separator: ", ")
            let json = """
                {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
                 "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": false, "lowercase": false},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
                 "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
                 "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                           "max_input_chars_per_word": 100, "vocab": {\(vocab)}}}
                """
            try Data(json.utf8).write(to: tmp.url("tokenizer.json"))
        }
        try Data(#"{"do_lower_case": false, "strip_accents": false, "tokenizer_class": "BertTokenizer"}"#.utf8)
            .write(to: tmp.url("tokenizer_config.json"))
        let tokenizer = try WordPieceTokenizer(folder: tmp.url)
        #expect(tokenizer.vocabularySize == tokens.count)
        #expect(tokenizer.encode("caf\u{e9}").ids == [2, 5, 3])
        #expect(tokenizer.encode("cafe\u{301}").ids == [2, 6, 3])
        #expect(sameScalars(tokenizer.decode([6]), "cafe\u{301}"))
    }
}
