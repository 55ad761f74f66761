import Foundation
import Testing
import TestSupport
@testable import Tokenization

/// What transformers' `AutoTokenizer` gave for the WordPiece fixture folders, recorded by
/// `fixtures/make_wordpiece_fixtures.py` with tokenizers 0.15.2 / transformers 4.36.2 (everything)
/// and tokenizers 0.23.3 / transformers 5.23.0 (ids only). A null expectation means "same as `ids`".
struct RecordedWordPiece: Decodable {
    struct Case: Decodable {
        let text: String
        let ids: [Int]
        let ids_truncated: [Int]?
        let ids_truncated_to: [String: [Int]?]
        let decode: String?
        let decode_skip_special: String?
        let decode_no_cleanup: String?
        let tokens: [String]?
    }
    struct Truncated: Decodable {
        let max_length: Int
        let strategy: String
        let ids: [Int]?
        let type_ids: [Int]?
        let error: String?
    }
    struct Pair: Decodable {
        let a: String
        let b: String
        let ids: [Int]
        let type_ids: [Int]
        let ids_no_special: [Int]
        let ids_truncated: [Int]?
        let truncated: [Truncated]
        let decode: String?
    }
    struct Batch: Decodable {
        let texts: [String]
        let pairs: [String]?
        let pad_to_multiple_of: Int?
        let input_ids: [[Int]]
        let token_type_ids: [[Int]]
        let attention_mask: [[Int]]
    }
    let tokenizer: String
    let folder: String
    let vocab_size: Int
    let model_max_length: Int?
    let cls_token_id: Int
    let sep_token_id: Int
    let pad_token_id: Int
    let mask_token_id: Int
    let unk_token_id: Int
    let mask_token: String
    let cases: [Case]
    let pairs: [Pair]
    let batches: [Batch]
    let single_id_decodes: [String]?

    struct File: Decodable {
        let tokenizers_version: String
        let tokenizers: [RecordedWordPiece]
    }

    static let versions = ["0.15.2", "0.23.3"]
    static let files: [String: File] = {
        var out: [String: File] = [:]
        for v in versions {
            let data = try! Data(contentsOf: Fixtures.url("tokenizer/wordpiece/cases-\(v).json"))
            out[v] = try! JSONDecoder().decode(File.self, from: data)
        }
        return out
    }()

    static func named(_ name: String, version: String) -> RecordedWordPiece {
        files[version]!.tokenizers.first { $0.tokenizer == name }!
    }
}

@Suite("WordPiece tokenizer matches Hugging Face tokenizers (AutoTokenizer)")
struct WordPieceFixtureTests {
    static let names = ["bert-uncased", "bert-uncased-accents", "bert-cased", "bert-cased-strip",
                        "sentence-embedding", "vocab-only", "vocab-only-legacy"]
    static let runs: [(String, String)] = RecordedWordPiece.versions.flatMap { v in names.map { (v, $0) } }

    static func load(_ recorded: RecordedWordPiece) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(folder: Fixtures.url(recorded.folder))
    }

    @Test("ids and truncations of every recorded text", arguments: runs)
    func singleTexts(version: String, name: String) throws {
        let recorded = RecordedWordPiece.named(name, version: version)
        let tokenizer = try Self.load(recorded)
        #expect(recorded.cases.count >= 60)
        var identical = 0
        for c in recorded.cases {
            let enc = tokenizer.encode(c.text)
            #expect(enc.ids == c.ids, "ids of \(c.text.debugDescription)")
            // BERT frames a single text with every type id 0 (checked by the generator).
            #expect(enc.typeIDs == [Int](repeating: 0, count: c.ids.count))
            #expect(tokenizer.encode(c.text, addSpecialTokens: false).ids == Array(c.ids.dropFirst().dropLast()))
            let truncated = tokenizer.encode(c.text, truncation: true).ids
            #expect(truncated == (c.ids_truncated ?? c.ids), "truncated ids of \(c.text.debugDescription)")
            var allTruncations = truncated == (c.ids_truncated ?? c.ids)
            for (n, expected) in c.ids_truncated_to {
                let got = tokenizer.encode(c.text, truncation: true, maxLength: Int(n)!).ids
                #expect(got == (expected ?? c.ids), "ids truncated to \(n) of \(c.text.debugDescription)")
                allTruncations = allTruncations && got == (expected ?? c.ids)
            }
            if let tokens = c.tokens {
                #expect(enc.tokens.elementsEqual(tokens, by: sameScalars), "tokens of \(c.text.debugDescription)")
            }
            if enc.ids == c.ids && allTruncations { identical += 1 }
        }
        #expect(identical == recorded.cases.count)
        print("[wordpiece \(name), tokenizers \(version)] \(identical)/\(recorded.cases.count) texts identical (ids and 3 truncations)")
    }

    @Test("pairs: ids, type ids, truncation strategies and their refusals", arguments: runs)
    func pairs(version: String, name: String) throws {
        let recorded = RecordedWordPiece.named(name, version: version)
        let tokenizer = try Self.load(recorded)
        var identical = 0, checks = 0
        for p in recorded.pairs {
            let enc = try tokenizer.encode(p.a, pair: p.b)
            #expect(enc.ids == p.ids, "pair \(p.a.debugDescription) / \(p.b.debugDescription)")
            #expect(enc.typeIDs == p.type_ids, "type ids of pair \(p.a.debugDescription)")
            #expect(try tokenizer.encode(p.a, pair: p.b, addSpecialTokens: false).ids == p.ids_no_special)
            let truncated = try tokenizer.encode(p.a, pair: p.b, truncation: .longestFirst).ids
            #expect(truncated == (p.ids_truncated ?? p.ids))
            var same = enc.ids == p.ids && enc.typeIDs == p.type_ids && truncated == (p.ids_truncated ?? p.ids)
            for t in p.truncated {
                checks += 1
                let strategy = try #require(TruncationStrategy(rawValue: t.strategy))
                let label = "\(t.strategy) \(t.max_length) of \(p.a.debugDescription) / \(p.b.debugDescription)"
                if t.error != nil {
                    #expect(throws: TokenizerError.self, "\(label) must be refused") {
                        try tokenizer.encode(p.a, pair: p.b, truncation: strategy, maxLength: t.max_length)
                    }
                    continue
                }
                let got = try tokenizer.encode(p.a, pair: p.b, truncation: strategy, maxLength: t.max_length)
                #expect(got.ids == t.ids, "\(label)")
                #expect(got.typeIDs == t.type_ids, "type ids, \(label)")
                same = same && got.ids == t.ids && got.typeIDs == t.type_ids
            }
            if same { identical += 1 }
        }
        #expect(identical == recorded.pairs.count)
        print("[wordpiece \(name), tokenizers \(version)] \(identical)/\(recorded.pairs.count) pairs identical, \(checks) strategy/length truncations included")
    }

    @Test("padded batches (texts and pairs)", arguments: runs)
    func batches(version: String, name: String) throws {
        let recorded = RecordedWordPiece.named(name, version: version)
        let tokenizer = try Self.load(recorded)
        for b in recorded.batches {
            // The recorded pair batch was padded without truncation; the text batches with.
            let batch = try tokenizer.encodeBatch(b.texts, pairs: b.pairs, truncation: b.pairs == nil ? .longestFirst : nil,
                                                  padToMultipleOf: b.pad_to_multiple_of)
            #expect(batch.inputIDs == b.input_ids, "batch \(b.texts.first ?? "")")
            #expect(batch.tokenTypeIDs == b.token_type_ids)
            #expect(batch.attentionMask == b.attention_mask)
        }
    }

    @Test("special ids, vocabulary size and model_max_length", arguments: runs)
    func specialIDs(version: String, name: String) throws {
        let recorded = RecordedWordPiece.named(name, version: version)
        let tokenizer = try Self.load(recorded)
        #expect(tokenizer.clsTokenID == recorded.cls_token_id)
        #expect(tokenizer.sepTokenID == recorded.sep_token_id)
        #expect(tokenizer.padTokenID == recorded.pad_token_id)
        #expect(tokenizer.maskTokenID == recorded.mask_token_id)
        #expect(tokenizer.unknownTokenID == recorded.unk_token_id)
        #expect(tokenizer.maskToken == recorded.mask_token)
        #expect(tokenizer.vocabularySize == recorded.vocab_size)
        #expect(tokenizer.modelMaxLength == recorded.model_max_length)
    }

    /// Decoding follows transformers 4.36.2 (the reference environment); 5.x differs for folders
    /// without `clean_up_tokenization_spaces` (its default became false), see docs.
    @Test("decode, skip_special_tokens, no clean-up, every single id", arguments: names)
    func decodes(name: String) throws {
        let recorded = RecordedWordPiece.named(name, version: "0.15.2")
        let tokenizer = try Self.load(recorded)
        var identical = 0
        for c in recorded.cases {
            let decode = try #require(c.decode)
            let a = tokenizer.decode(c.ids)
            let b = tokenizer.decode(c.ids, skipSpecialTokens: true)
            let d = tokenizer.decode(c.ids, cleanUpTokenizationSpaces: false)
            #expect(sameScalars(a, decode), "decode of \(c.text.debugDescription)")
            #expect(sameScalars(b, c.decode_skip_special ?? ""), "decode(skip_special_tokens) of \(c.text.debugDescription)")
            #expect(sameScalars(d, c.decode_no_cleanup ?? decode), "decode(clean_up=False) of \(c.text.debugDescription)")
            if sameScalars(a, decode) && sameScalars(b, c.decode_skip_special ?? "") && sameScalars(d, c.decode_no_cleanup ?? decode) {
                identical += 1
            }
        }
        for p in recorded.pairs {
            #expect(sameScalars(tokenizer.decode(p.ids), p.decode ?? ""), "decode of pair \(p.a.debugDescription)")
        }
        #expect(identical == recorded.cases.count)
        if let singles = recorded.single_id_decodes {
            #expect(singles.count == recorded.vocab_size)
            for (id, expected) in singles.enumerated() {
                #expect(sameScalars(tokenizer.decode(id), expected), "decode([\(id)])")
            }
        }
        print("[wordpiece \(name)] \(identical)/\(recorded.cases.count) decodes identical")
    }
}
