import Foundation
import Testing
import TestSupport
@testable import Tokenization

/// The tokenizer is chosen from the folder's files (tokenizer.json `model.type`), never from the model name.
@Suite struct TokenizerLoaderTests {
    @Test func choosesFromModelType() throws {
        #expect(try TokenizerLoader.load(folder: Fixtures.url("models/tiny-xlmr-mlm")) is UnigramTokenizer)
        #expect(try TokenizerLoader.load(folder: Fixtures.url("tokenizer/camembert-unigram")) is UnigramTokenizer)
        #expect(try TokenizerLoader.load(folder: Fixtures.url("tokenizer/roberta-bpe")) is RobertaTokenizer)
        #expect(try TokenizerLoader.load(folder: Fixtures.url("models/tiny-roberta-mlm")) is RobertaTokenizer)
    }

    @Test func unimplementedKindIsNamed() throws {
        let tmp = try TemporaryDirectory("loader-kind")
        let file = tmp.url("tokenizer.json")
        try Data(#"{"model": {"type": "WordLevel", "vocab": {}}}"#.utf8).write(to: file)
        #expect(throws: TokenizerError.unsupportedKind(kind: "WordLevel", file: file.path)) {
            try TokenizerLoader.load(folder: tmp.url)
        }
        #expect(TokenizerError.unsupportedKind(kind: "WordLevel", file: file.path).description.contains("WordLevel"))
        let spm = try TemporaryDirectory("loader-spm")
        try Data([1, 2, 3]).write(to: spm.url("sentencepiece.bpe.model"))
        #expect(throws: TokenizerError.self) { try TokenizerLoader.load(folder: spm.url) }
        let empty = try TemporaryDirectory("loader-empty")
        #expect(throws: TokenizerError.noTokenizerFiles(folder: empty.path)) { try TokenizerLoader.load(folder: empty.url) }
    }
}

/// `precompiled_charsmap` is validated: a damaged one is a clear error, never a crash.
@Suite struct PrecompiledCharsMapTests {
    static func realCharsmap() throws -> [UInt8] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("models/tiny-xlmr-mlm/tokenizer.json"))) as! [String: Any]
        let list = (json["normalizer"] as! [String: Any])["normalizers"] as! [[String: Any]]
        let encoded = list.first { $0["type"] as? String == "Precompiled" }!["precompiled_charsmap"] as! String
        return [UInt8](Data(base64Encoded: encoded)!)
    }

    static func reason(_ bytes: [UInt8]) -> String? {
        do {
            _ = try PrecompiledCharsMap(bytes: bytes, file: "t.json")
            return nil
        } catch TokenizerError.unreadable(_, let reason) {
            return reason
        } catch {
            return "\(error)"
        }
    }

    @Test func realOneLoadsAndRewrites() throws {
        let map = try PrecompiledCharsMap(bytes: Self.realCharsmap(), file: "t.json")
        // nmt_nfkc: full-width letters and the fi ligature become ASCII (NFKC).
        #expect(map.normalize("ｆｕｌｌ ﬁ") == "full fi")
    }

    @Test func damagedOnesAreRefused() throws {
        let real = try Self.realCharsmap()
        #expect(Self.reason([1, 0])?.contains("header") == true)
        var huge = real
        huge[3] = 0x7F   // trie size far beyond the data
        #expect(Self.reason(huge)?.contains("only") == true)
        var odd = real
        odd[0] |= 1     // trie size not a multiple of 4
        #expect(Self.reason(odd)?.contains("multiple of 4") == true)
        var badPool = real
        badPool[badPool.count - 2] = 0xFF
        #expect(Self.reason(badPool)?.contains("UTF-8") == true)
        // Every single-byte change inside the trie is either accepted or refused with a reason.
        let trieSize = Int(real[0]) | Int(real[1]) << 8 | Int(real[2]) << 16
        for position in stride(from: 4, to: 4 + trieSize, by: trieSize / 12 + 1) {
            var changed = real
            changed[position] ^= 0xA5
            if let reason = Self.reason(changed) { #expect(reason.contains("precompiled_charsmap")) } else {
                _ = try PrecompiledCharsMap(bytes: changed, file: "t.json").normalize("ｆｕｌｌ ﬁ é e\u{301} 😀")
            }
        }
    }
}
