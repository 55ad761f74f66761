import Foundation
import Testing
import TestSupport
@testable import Tokenization

/// The ids, tokens and decodes recorded from the real `tokenizers` 0.15.2 / `transformers` 4.36.2
/// by `fixtures/make_tokenizer_fixtures.py`.
struct RecordedTokenizer: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let tokens: [String]
        let ids_no_special: [Int]
        let ids_truncated: [Int]
        let decode: String
        let decode_skip_special: String
        let decode_no_cleanup: String
    }
    struct Batch: Decodable {
        let texts: [String]
        let pad_to_multiple_of: Int?
        let input_ids: [[Int]]
        let attention_mask: [[Int]]
    }
    let tokenizer: String
    let folder: String
    let vocab_size: Int
    let model_max_length: Int
    let mask_token_id: Int
    let pad_token_id: Int
    let bos_token_id: Int
    let eos_token_id: Int
    let cases: [Case]
    let batches: [Batch]
    let single_id_decodes: [String]

    struct File: Decodable { let tokenizers: [RecordedTokenizer] }

    static let all: [RecordedTokenizer] = {
        let data = try! Data(contentsOf: Fixtures.url("tokenizer/cases.json"))
        return try! JSONDecoder().decode(File.self, from: data).tokenizers
    }()

    static func named(_ name: String) -> RecordedTokenizer { all.first { $0.tokenizer == name }! }
}

/// Unicode-scalar equality (Swift `==` on String is canonical equivalence, too lenient here).
func sameScalars(_ a: String, _ b: String) -> Bool { a.unicodeScalars.elementsEqual(b.unicodeScalars) }

@Suite("Tokenizer matches Hugging Face tokenizers")
struct TokenizerFixtureTests {
    static let names = ["roberta-bpe", "roberta-bpe-prefix", "tiny-roberta-mlm"]

    /// Loads the fixture folder, optionally without tokenizer.json (vocab.json + merges.txt path).
    static func load(_ name: String, withoutTokenizerJSON: Bool = false) throws -> (RobertaTokenizer, TemporaryDirectory?) {
        let folder = Fixtures.url(RecordedTokenizer.named(name).folder)
        guard withoutTokenizerJSON else { return (try RobertaTokenizer(folder: folder), nil) }
        let tmp = try TemporaryDirectory("tok-legacy")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file != "tokenizer.json" {
            try FileManager.default.copyItem(at: folder.appendingPathComponent(file), to: tmp.url(file))
        }
        return (try RobertaTokenizer(folder: tmp.url), tmp)
    }

    // vocab.json + merges.txt alone always mean RoBERTa's framing (transformers converts them with
    // RobertaProcessing), so the tiny model (whose tokenizer.json has none) is checked with tokenizer.json only.
    @Test("ids, tokens and truncation of every recorded text",
          arguments: [("roberta-bpe", false), ("roberta-bpe", true), ("roberta-bpe-prefix", false),
                      ("roberta-bpe-prefix", true), ("tiny-roberta-mlm", false)])
    func encodeMatches(name: String, legacyFiles: Bool) throws {
        let recorded = RecordedTokenizer.named(name)
        let (tokenizer, _tmp) = try Self.load(name, withoutTokenizerJSON: legacyFiles)
        _ = _tmp
        #expect(recorded.cases.count >= 150)
        var matched = 0
        for c in recorded.cases {
            let enc = tokenizer.encode(c.text)
            #expect(enc.ids == c.ids, "ids of \(c.text.debugDescription)")
            #expect(enc.tokens.elementsEqual(c.tokens, by: sameScalars), "tokens of \(c.text.debugDescription)")
            #expect(tokenizer.encode(c.text, addSpecialTokens: false).ids == c.ids_no_special,
                    "ids without special tokens of \(c.text.debugDescription)")
            let truncated = tokenizer.encode(c.text, truncation: true).ids
            #expect(truncated == c.ids_truncated, "truncated ids of \(c.text.debugDescription)")
            if enc.ids == c.ids && truncated == c.ids_truncated { matched += 1 }
        }
        #expect(matched == recorded.cases.count)
        print("[\(name)\(legacyFiles ? ", vocab.json+merges.txt" : "")] \(matched)/\(recorded.cases.count) texts matched")
    }

    @Test("decode with and without special tokens and clean-up", arguments: names)
    func decodeMatches(name: String) throws {
        let recorded = RecordedTokenizer.named(name)
        let tokenizer = try RobertaTokenizer(folder: Fixtures.url(RecordedTokenizer.named(name).folder))
        for c in recorded.cases {
            #expect(sameScalars(tokenizer.decode(c.ids), c.decode), "decode of \(c.text.debugDescription)")
            #expect(sameScalars(tokenizer.decode(c.ids, skipSpecialTokens: true), c.decode_skip_special),
                    "decode(skip_special_tokens) of \(c.text.debugDescription)")
            #expect(sameScalars(tokenizer.decode(c.ids, cleanUpTokenizationSpaces: false), c.decode_no_cleanup),
                    "decode(clean_up=False) of \(c.text.debugDescription)")
        }
    }

    @Test("decode of every single id (fill-mask token_str)", arguments: names)
    func singleIDDecodes(name: String) throws {
        let recorded = RecordedTokenizer.named(name)
        let tokenizer = try RobertaTokenizer(folder: Fixtures.url(RecordedTokenizer.named(name).folder))
        #expect(tokenizer.vocabularySize == recorded.vocab_size)
        #expect(recorded.single_id_decodes.count == recorded.vocab_size)
        for (id, expected) in recorded.single_id_decodes.enumerated() {
            #expect(sameScalars(tokenizer.decode(id), expected), "decode([\(id)])")
        }
    }

    @Test("special ids and model_max_length", arguments: names)
    func specialIDs(name: String) throws {
        let recorded = RecordedTokenizer.named(name)
        let tokenizer = try RobertaTokenizer(folder: Fixtures.url(RecordedTokenizer.named(name).folder))
        #expect(tokenizer.maskTokenID == recorded.mask_token_id)
        #expect(tokenizer.padTokenID == recorded.pad_token_id)
        #expect(tokenizer.bosTokenID == recorded.bos_token_id)
        #expect(tokenizer.eosTokenID == recorded.eos_token_id)
        #expect(tokenizer.modelMaxLength == recorded.model_max_length)
        // RoBERTa's layout, as the fixture generators built it.
        #expect(tokenizer.bosTokenID == 0 && tokenizer.padTokenID == 1 && tokenizer.eosTokenID == 2)
        #expect(tokenizer.maskTokenID == (name == "tiny-roberta-mlm" ? 300 : 700))
    }

    @Test("padded batches with and without pad_to_multiple_of", arguments: names)
    func batches(name: String) throws {
        let recorded = RecordedTokenizer.named(name)
        let tokenizer = try RobertaTokenizer(folder: Fixtures.url(RecordedTokenizer.named(name).folder))
        for b in recorded.batches {
            let batch = tokenizer.encodeBatch(b.texts, padToMultipleOf: b.pad_to_multiple_of)
            #expect(batch.inputIDs == b.input_ids, "batch \(b.texts.first ?? "") multiple \(String(describing: b.pad_to_multiple_of))")
            #expect(batch.attentionMask == b.attention_mask)
        }
    }
}

@Suite("Tokenizer folder variants")
struct TokenizerFolderTests {
    @Test func maxLengthFromModelConfigWhenNoTokenizerConfig() throws {
        let tmp = try TemporaryDirectory("tok-noconfig")
        try FileManager.default.copyItem(at: Fixtures.url("tokenizer/roberta-bpe/tokenizer.json"), to: tmp.url("tokenizer.json"))
        #expect(try RobertaTokenizer(folder: tmp.url).modelMaxLength == nil)
        try Data(#"{"model_type": "roberta", "max_position_embeddings": 514}"#.utf8).write(to: tmp.url("config.json"))
        let tokenizer = try RobertaTokenizer(folder: tmp.url)
        #expect(tokenizer.modelMaxLength == 512)
        // Without tokenizer_config.json the defaults of RobertaTokenizerFast apply: <mask> strips left.
        let recorded = RecordedTokenizer.named("roberta-bpe")
        let c = try #require(recorded.cases.first { $0.text == "Paris is the <mask> of France." })
        #expect(tokenizer.encode(c.text).ids == c.ids)
    }

    @Test func missingFilesError() throws {
        let tmp = try TemporaryDirectory("tok-empty")
        #expect(throws: TokenizerError.noTokenizerFiles(folder: tmp.path)) { try RobertaTokenizer(folder: tmp.url) }
    }

    @Test func maskPositionsForFillMask() throws {
        let tokenizer = try RobertaTokenizer(folder: Fixtures.url("tokenizer/roberta-bpe"))
        let batch = tokenizer.encodeBatch(["two <mask> <mask> masks", "The <mask>."], padToMultipleOf: 8)
        #expect(batch.sequenceLength % 8 == 0)
        #expect(batch.encodings[0].positions(of: tokenizer.maskTokenID).count == 2)
        #expect(batch.encodings[1].positions(of: tokenizer.maskTokenID) == [2])
    }
}
