import Foundation
import Testing
import TestSupport
@testable import LSGVerification

@Suite struct OutputCheckPlanTests {
    /// tiny-lsg-1024: original 514 positions (512 tokens), converted 1026 rows, block_size 128.
    @Test func defaultLengths() {
        let plan = OutputCheckPlan.make(originalMaxLength: 512, convertedMaxLength: 1024, blockSize: 128, requested: [],
                                        textIds: nil, vocab: 301, bos: 0, eos: 2, mask: 300)
        #expect(plan.equivalence.map(\.ids.count) == [16, 256])  // dense path: t <= 2 * block_size
        #expect(plan.fidelity.map(\.ids.count) == [64, 512])     // up to the original's maximum
        #expect(plan.long.map(\.ids.count) == [1024])            // the converted maximum
        #expect(plan.idSource == "random ids (no tokenizer)")
    }

    @Test func requestedLengthsGoWhereTheyFit() {
        let plan = OutputCheckPlan.make(originalMaxLength: 512, convertedMaxLength: 1024, blockSize: 128, requested: [10, 300, 600, 5000],
                                        textIds: nil, vocab: 301, bos: 0, eos: 2, mask: 300)
        #expect(plan.equivalence.map(\.ids.count) == [10])
        #expect(plan.fidelity.map(\.ids.count) == [10, 300])
        #expect(plan.long.map(\.ids.count) == [600])
    }

    @Test func tokenizerTextIsFramedAndMasked() throws {
        let tokens = FixedTextTokens.ids(folder: Fixtures.url("verify/tiny-lsg-1024"), family: .roberta, text: OutputCheckPlan.text)
        let plan = OutputCheckPlan.make(originalMaxLength: 512, convertedMaxLength: 1024, blockSize: 128, requested: [30],
                                        textIds: tokens.ids, vocab: 301, bos: 0, eos: 2, mask: 300)
        #expect(plan.idSource == "tokenizer on fixed text")
        let input = try #require(plan.equivalence.first)
        #expect(input.ids.count == 30)
        #expect(input.ids.first == 0 && input.ids.last == 2)
        #expect(input.maskedPositions == [7, 14, 21, 28])
        #expect(input.maskedPositions.allSatisfy { input.ids[$0] == 300 })
        // Text tokens: ordinary ids of the 301-id vocabulary (no specials, no mask).
        let text = input.ids.indices.dropFirst().dropLast().filter { !input.maskedPositions.contains($0) }
        #expect(text.allSatisfy { (4..<300).contains(input.ids[$0]) })
    }

    /// BERT: the fixed text through the folder's WordPiece tokenizer, framed by [CLS] ... [SEP]; a
    /// folder without tokenizer files falls back to random ids.
    @Test func wordPieceFamilyUsesItsTokenizer() throws {
        let text = FixedTextTokens.ids(folder: Fixtures.url("bert-conversion/sources/bert-pretraining"), family: .bert, text: OutputCheckPlan.text)
        let ids = try #require(text.ids)
        #expect(!ids.isEmpty && ids.allSatisfy { $0 >= 0 && $0 < 120 })
        let plan = OutputCheckPlan.make(originalMaxLength: 512, convertedMaxLength: 1024, blockSize: 128, requested: [30],
                                        textIds: text.ids, textIdsUnavailable: text.unavailable, vocab: 120, bos: 2, eos: 3, mask: 4)
        #expect(plan.idSource == "tokenizer on fixed text")
        let input = plan.equivalence[0]
        #expect(input.ids.first == 2 && input.ids.last == 3 && input.maskedPositions.allSatisfy { input.ids[$0] == 4 })
        let none = FixedTextTokens.ids(folder: Fixtures.url("bert-runtime/lsg-base"), family: .bert, text: OutputCheckPlan.text)
        #expect(none.ids == nil && none.unavailable == "no WordPiece tokenizer files")
    }
}

/// verify's text-based inputs on an XLM-R folder come from its SentencePiece Unigram tokenizer: the
/// fixed text's ids are those transformers 4.36.2 gives (fixtures/tokenizer/unigram-cases.json).
@Suite struct OutputCheckPlanUnigramTests {
    @Test func xlmRobertaFolderUsesItsUnigramTokenizer() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.url("tokenizer/unigram-cases.json"))) as? [String: Any])
        let t = try #require((json["transformers"] as? [[String: Any]])?.first { $0["tokenizer"] as? String == "xlmr" })
        let recorded = try #require((t["cases"] as? [[String: Any]])?.first { $0["text"] as? String == OutputCheckPlan.text })
        let ids = try #require(recorded["ids"] as? [Int])
        let tokens = FixedTextTokens.ids(folder: Fixtures.url("models/tiny-xlmr-mlm"), family: .xlmRoberta, text: OutputCheckPlan.text)
        #expect(tokens.ids == Array(ids.dropFirst().dropLast()))
        let plan = OutputCheckPlan.make(originalMaxLength: 512, convertedMaxLength: 1024, blockSize: 128, requested: [64],
                                        textIds: tokens.ids, textIdsUnavailable: tokens.unavailable, vocab: 785, bos: 0, eos: 2, mask: 784)
        #expect(plan.idSource == "tokenizer on fixed text")
        let input = try #require(plan.equivalence.first)
        let text = Array(ids.dropFirst().dropLast())
        for position in 1..<63 where !input.maskedPositions.contains(position) {
            #expect(input.ids[position] == text[(position - 1) % text.count])
        }
    }
}
