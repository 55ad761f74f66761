import Foundation
import Testing
import TestSupport
@testable import Tokenization

/// Every code point, alone, through the real BertNormalizer / BertPreTokenizer, recorded by
/// `fixtures/make_wordpiece_fixtures.py` (`unicode-<tokenizers version>.json`).
struct RecordedUnicodeClasses: Decodable {
    let tokenizers_version: String
    let removed: [[UInt32]]
    let space: [[UInt32]]
    let chinese: [[UInt32]]
    let punctuation: [[UInt32]]
    let whitespace: [[UInt32]]
    let strip_changed: [[UInt32]]
    let strip_results: String
    let lowercase: [String: String]

    static func load(_ version: String) throws -> RecordedUnicodeClasses {
        try JSONDecoder().decode(Self.self, from: Data(contentsOf: Fixtures.url("tokenizer/wordpiece/unicode-\(version).json")))
    }

    static func set(_ ranges: [[UInt32]]) -> Set<UInt32> {
        var s = Set<UInt32>()
        for r in ranges { for v in r[0]...r[1] { s.insert(v) } }
        return s
    }
}

@Suite("BERT normalizer and pre-tokenizer classes of every code point")
struct BertUnicodeClassTests {
    static var allScalars: [Unicode.Scalar] { (0..<0x110000).compactMap { Unicode.Scalar(UInt32($0)) } }

    static func normalize(_ s: Unicode.Scalar, _ n: BertNormalizer) -> [Unicode.Scalar] { n.normalize([s]) }

    @Test("clean_text, Chinese characters, punctuation and whitespace split", arguments: ["0.15.2", "0.23.3"])
    func categories(version: String) throws {
        let recorded = try RecordedUnicodeClasses.load(version)
        let removed = RecordedUnicodeClasses.set(recorded.removed), space = RecordedUnicodeClasses.set(recorded.space)
        let chinese = RecordedUnicodeClasses.set(recorded.chinese), punct = RecordedUnicodeClasses.set(recorded.punctuation)
        let whitespace = RecordedUnicodeClasses.set(recorded.whitespace)
        let clean = BertNormalizer(cleanText: true, handleChineseChars: false, stripAccents: false, lowercase: false)
        var mismatches: [String] = []
        for s in Self.allScalars {
            let r = Self.normalize(s, clean)
            let isRemoved = r.isEmpty, isSpace = r == [" "] && s != " "
            if isRemoved != removed.contains(s.value) || isSpace != space.contains(s.value) {
                mismatches.append("clean_text U+\(String(s.value, radix: 16))")
            }
            if BertNormalizer.isChineseChar(s) != chinese.contains(s.value) { mismatches.append("chinese U+\(String(s.value, radix: 16))") }
            let words = BertPreTokenizer.split(["a", s, "b"])
            if (words.count == 3) != punct.contains(s.value) { mismatches.append("punctuation U+\(String(s.value, radix: 16))") }
            if (words.count == 2 && words[0] == ["a"] && words[1] == ["b"]) != whitespace.contains(s.value) {
                mismatches.append("whitespace U+\(String(s.value, radix: 16))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differences: \(mismatches.prefix(20))")
        print("[unicode \(version)] clean_text/chinese/punctuation/whitespace: \(mismatches.count) differences over \(Self.allScalars.count) scalars")
    }

    @Test("strip_accents of every code point", arguments: ["0.15.2", "0.23.3"])
    func stripAccents(version: String) throws {
        let recorded = try RecordedUnicodeClasses.load(version)
        let changed = RecordedUnicodeClasses.set(recorded.strip_changed).sorted()
        let results = recorded.strip_results.split(separator: "\n", omittingEmptySubsequences: false)
        try #require(changed.count == results.count)
        var expected: [UInt32: Substring] = [:]
        for (cp, r) in zip(changed, results) { expected[cp] = r }
        let strip = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false)
        var mismatches: [String] = []
        for s in Self.allScalars where s.value < 0xD800 || s.value > 0xDFFF {
            let got = Self.normalize(s, strip)
            let want = expected[s.value].map { Array($0.unicodeScalars) } ?? [s]
            if got != want { mismatches.append("U+\(String(s.value, radix: 16))") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) differences: \(mismatches.prefix(20))")
        print("[unicode \(version)] strip_accents: \(mismatches.count) differences, \(changed.count) characters changed")
    }

    /// Lowercasing is Rust's `char::to_lowercase`, so it follows the Unicode version of the Rust
    /// compiler that built tokenizers: 0.23.3 agrees with Swift's tables; 0.15.2 predates the
    /// characters added in Unicode 16 and leaves them unchanged.
    @Test("lowercase of every code point", arguments: ["0.15.2", "0.23.3"])
    func lowercase(version: String) throws {
        let recorded = try RecordedUnicodeClasses.load(version)
        let lower = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: true)
        var mismatches: [Unicode.Scalar] = []
        for s in Self.allScalars {
            let got = Self.normalize(s, lower)
            let want = recorded.lowercase[String(s.value)].map { Array($0.unicodeScalars) } ?? [s]
            if got != want { mismatches.append(s) }
        }
        if version == "0.23.3" {
            #expect(mismatches.isEmpty, "\(mismatches.count) differences")
        } else {
            #expect(mismatches.allSatisfy { ($0.properties.age?.major ?? 0) >= 16 },
                    "differences outside the Unicode 16+ additions: \(mismatches.filter { ($0.properties.age?.major ?? 0) < 16 }.prefix(10))")
        }
        print("[unicode \(version)] lowercase: \(mismatches.count) differences (Unicode 16+ characters)")
    }
}
