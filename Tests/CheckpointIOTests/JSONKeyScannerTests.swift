import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// ``JSONKeyScanner`` against ``JSONParser`` (the full parse it replaces for the special-token ids),
/// and ``SpecialTokenIDs/read(folder:config:)`` against the old whole-vocabulary algorithm on every
/// fixture folder with tokenizer files.
@Suite struct JSONKeyScannerTests {
    static func integers(_ text: String, _ wanted: Set<String>) -> [String: Int]? {
        Array(text.utf8).withUnsafeBytes { JSONKeyScanner.integers(for: wanted, inObject: $0) }
    }

    static func tokenizer(_ text: String, _ wanted: Set<String>) -> JSONKeyScanner.TokenizerLookup? {
        Array(text.utf8).withUnsafeBytes { JSONKeyScanner.tokenizer(for: wanted, in: $0) }
    }

    @Test("wanted keys of a flat object, raw and escaped, others skipped")
    func flatObject() {
        let text = #"{"<s>": 0, "<pad>": 1, "\u0120the": 5, "a\"b": 7, "<mask>": 50264, "x": [1, {"<s>": 9}], "y": "<s>", "z": 1.5, "w": -3}"#
        let found = Self.integers(text, ["<s>", "<mask>", "Ġthe", "a\"b", "z", "w", "absent", "y"])
        #expect(found == ["<s>": 0, "<mask>": 50264, "Ġthe": 5, "a\"b": 7, "w": -3])
    }

    @Test("a key given twice keeps its last value; an empty object and whitespace are fine")
    func duplicatesAndWhitespace() {
        #expect(Self.integers(" {\n\t\"a\" : 1 ,\r\n \"a\":2 } \n", ["a"]) == ["a": 2])
        #expect(Self.integers("{}", ["a"]) == [:])
        // Valid JSON that is not an object has no keys to look up.
        #expect(Self.integers("[]", ["a"]) == nil)
    }

    @Test("documents it cannot walk give nil", arguments: [
        "", "{", #"{"a": 1"#, #"{"a" 1}"#, #"{"a": 1,}"#, #"{"a": [1, 2}"#, #"{"a": "x}"#, #"{"a": 1} x"#,
        #"{"a": {"b": ]}}"#, "{\"a\": \"\u{01}\"}", #"{1: 2}"#,
    ])
    func malformed(text: String) {
        #expect(Self.integers(text, ["a"]) == nil)
        // The strict parser rejects every one of them too.
        #expect((try? JSONParser.parse(text)) == nil)
    }

    @Test("tokenizer.json: an object vocabulary, a Unigram list, added tokens")
    func tokenizerDocuments() {
        let bpe = #"{"version": "1.0", "added_tokens": [{"id": 0, "content": "<s>", "special": true}, {"id": 4, "content": "<mask>"}], "normalizer": null, "model": {"type": "BPE", "vocab": {"<s>": 0, "hello": 3, "<mask>": 4}, "merges": ["h e", "l l"]}}"#
        let lookup = Self.tokenizer(bpe, ["<s>", "<mask>"])
        #expect(lookup?.vocabulary == ["<s>": 0, "<mask>": 4])
        #expect(lookup?.addedTokens.map(\.content) == ["<s>", "<mask>"])
        #expect(lookup?.addedTokens.map(\.id) == [0, 4])
        let unigram = #"{"model": {"type": "Unigram", "unk_id": 3, "vocab": [["<s>", 0.0], ["<pad>", 0.0], ["▁the", -3.5], ["<mask>", 0.0]]}}"#
        #expect(Self.tokenizer(unigram, ["<mask>", "▁the", "</s>"])?.vocabulary == ["<mask>": 3, "▁the": 2])
        #expect(Self.tokenizer(#"{"model": {"vocab": [["a", 0.0], ["b"#, ["b"]) == nil)
    }

    /// The algorithm `SpecialTokenIDs.read` had before the scanner: every vocabulary parsed whole.
    static func fullParseIDs(folder: URL, config: JSONValue) -> SpecialTokenIDs {
        func json(_ name: String) -> JSONValue? {
            let url = folder.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: url.path) else { return nil }
            return try? ModelFolder.readJSON(url)
        }
        let tokenizerConfig = json("tokenizer_config.json"), specialMap = json("special_tokens_map.json")
        func tokenString(_ key: String) -> String? {
            for source in [tokenizerConfig, specialMap] {
                guard let value = source?[key] else { continue }
                if let s = value.stringValue { return s }
                if let s = value["content"]?.stringValue { return s }
            }
            return nil
        }
        var vocabulary: [String: Int] = [:]
        func add(_ pairs: [(String, JSONValue)]?) { for (token, id) in pairs ?? [] { if let id = id.intValue { vocabulary[token] = id } } }
        if let tokenizer = json("tokenizer.json") {
            add(tokenizer["model"]?["vocab"]?.objectValue)
            for (id, entry) in (tokenizer["model"]?["vocab"]?.arrayValue ?? []).enumerated() {
                if let piece = entry.arrayValue?.first?.stringValue { vocabulary[piece] = id }
            }
            for token in tokenizer["added_tokens"]?.arrayValue ?? [] {
                if let content = token["content"]?.stringValue, let id = token["id"]?.intValue { vocabulary[content] = id }
            }
        }
        add(json("vocab.json")?.objectValue)
        let vocabText = try? String(contentsOf: folder.appendingPathComponent("vocab.txt"), encoding: .utf8)
        if let vocabText {
            for (id, line) in vocabText.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let token = line.hasSuffix("\r") ? String(line.dropLast()) : String(line)
                if !token.isEmpty, vocabulary[token] == nil { vocabulary[token] = id }
            }
        }
        add(json("added_tokens.json")?.objectValue)
        for (id, token) in tokenizerConfig?["added_tokens_decoder"]?.objectValue ?? [] {
            if let content = token["content"]?.stringValue, let id = Int(id) { vocabulary[content] = id }
        }
        let defaults = ["cls_token": "[CLS]", "mask_token": "[MASK]", "sep_token": "[SEP]"]
        func id(_ key: String) -> Int? {
            if let token = tokenString(key) { return vocabulary[token] }
            guard vocabText != nil, let token = defaults[key] else { return nil }
            return vocabulary[token]
        }
        return SpecialTokenIDs(bos: id("bos_token") ?? id("cls_token") ?? config["bos_token_id"]?.intValue, mask: id("mask_token"),
                               eos: id("eos_token") ?? id("sep_token") ?? config["eos_token_id"]?.intValue)
    }

    /// Every folder under fixtures/ that holds tokenizer files (RoBERTa BPE, XLM-R / CamemBERT
    /// Unigram, BERT WordPiece, hub snapshots, converted outputs).
    static func tokenizerFolders() -> [URL] {
        let root = Fixtures.url("")
        let names: Set<String> = ["tokenizer.json", "vocab.json", "vocab.txt", "added_tokens.json"]
        var folders = Set<URL>()
        let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)
        while let url = enumerator?.nextObject() as? URL {
            if names.contains(url.lastPathComponent) { folders.insert(url.deletingLastPathComponent().standardizedFileURL) }
        }
        return folders.sorted { $0.path < $1.path }
    }

    @Test("the ids equal the whole-vocabulary parse on every fixture tokenizer folder")
    func fixtureFolders() throws {
        let folders = Self.tokenizerFolders()
        #expect(folders.count >= 8)
        var withMask = 0
        for folder in folders {
            let config = (try? ModelFolder.readJSON(folder.appendingPathComponent("config.json"))) ?? .object([])
            let expected = Self.fullParseIDs(folder: folder, config: config)
            #expect(SpecialTokenIDs.read(folder: folder, config: config) == expected, "\(folder.path)")
            if expected.mask != nil { withMask += 1 }
        }
        #expect(withMask >= 5)
    }
}

@Suite struct JSONKeyScannerObjectTests {
    static func object(_ text: String) -> [String: Int]? {
        Array(text.utf8).withUnsafeBytes { JSONKeyScanner.integerObject($0) }
    }

    @Test("a whole token -> id map, escapes decoded; anything else is nil")
    func integerObject() {
        #expect(Self.object(#"{"<s>": 0, "\u0120the": 5, "é": 6, "a\"b": 7, "\ud83d\ude00": 8}"#) == ["<s>": 0, "Ġthe": 5, "é": 6, "a\"b": 7, "😀": 8])
        #expect(Self.object("{}") == [:])
        for bad in [#"{"a": 1.5}"#, #"{"a": "1"}"#, #"{"a": [1]}"#, "[1]", #"{"a": 1"#] {
            #expect(Self.object(bad) == nil, "\(bad)")
        }
        let invalidUTF8: [UInt8] = Array(#"{""#.utf8) + [0xC3, 0x28] + Array(#"": 1}"#.utf8)
        #expect(invalidUTF8.withUnsafeBytes { JSONKeyScanner.integerObject($0) } == nil)
    }

    /// Every vocab.json in the fixtures reads the same as through the strict parser.
    @Test("every fixture vocab.json equals the strict parse")
    func fixtureVocabularies() throws {
        var checked = 0
        for folder in JSONKeyScannerTests.tokenizerFolders() {
            let url = folder.appendingPathComponent("vocab.json")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let strict = try ModelFolder.readJSON(url).objectValue ?? []
            let expected = Dictionary(strict.map { ($0.0, Int($0.1.intValue ?? -1)) }, uniquingKeysWith: { $1 })
            let file = try MappedFile(path: url.path)
            #expect(JSONKeyScanner.integerObject(file.bytes) == expected, "\(url.path)")
            checked += 1
        }
        #expect(checked >= 3)
    }
}
