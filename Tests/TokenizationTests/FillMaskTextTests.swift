import Foundation
import Testing
import TestSupport
import Tokenization

/// transformers' fill-mask pipeline output recorded by `fixtures/make_tokenizer_fixtures.py`.
struct RecordedFillMask: Decodable {
    struct Prediction: Decodable { let token: Int; let token_str: String; let sequence: String; let score: Double }
    struct Run: Decodable {
        let tokenizer: String
        let folder: String
        let text: String
        let input_ids: [Int]
        let predictions: [[Prediction]]
    }
    let runs: [Run]
}

@Suite("fill-mask strings match the transformers pipeline")
struct FillMaskTextTests {
    @Test func tokenStringsAndSequences() throws {
        let recorded = try JSONDecoder().decode(RecordedFillMask.self,
                                                from: Data(contentsOf: Fixtures.url("tokenizer/fill_mask.json")))
        #expect(recorded.runs.count >= 16)
        var checked = 0
        for run in recorded.runs {
            let tokenizer = try RobertaTokenizer(folder: Fixtures.url(run.folder))
            let ids = tokenizer.encode(run.text).ids
            #expect(ids == run.input_ids, "\(run.tokenizer): \(run.text)")
            let masks = tokenizer.encode(run.text).positions(of: tokenizer.maskTokenID)
            try #require(masks.count == run.predictions.count)
            for (mask, row) in zip(masks, run.predictions) {
                for p in row {
                    let text = tokenizer.fillMaskText(inputIDs: ids, maskPosition: mask, candidate: p.token, maskCount: masks.count)
                    #expect(sameScalars(text.tokenString, p.token_str), "\(run.tokenizer) \(run.text) token \(p.token)")
                    #expect(sameScalars(text.sequence, p.sequence), "\(run.tokenizer) \(run.text) token \(p.token)")
                    checked += 1
                }
            }
        }
        #expect(checked >= 100)
    }
}
