import CheckpointIO
import Foundation
import LSGRuntime
import Testing
import TestSupport
import Tokenization

/// `FillMask` + `WordPieceTokenizer` on BERT checkpoints reproduce transformers 4.36.2
/// `pipeline("fill-mask")` (fixtures/fill_mask/bert.json, make_bert_fill_mask_fixtures.py): the tiny
/// BertForPreTraining (its `cls.predictions` head, `prediction_logits`) and the reference's
/// LSGBertForPreTraining conversion of it, including an 803-token text on the sparse path.
@Suite struct BertFillMaskReferenceTests {
    static let runs: [ReferenceFillMask.Run] = (try? ReferenceFillMask.load("fill_mask/bert.json"))?.runs ?? []
    static let folders = ["bert-pretraining": "bert-conversion/sources/bert-pretraining",
                          "bert-lsg-pretraining-1024": "verify/bert-lsg-pretraining-1024"]

    @Test("matches the pipeline", arguments: runs)
    func matchesPipeline(_ run: ReferenceFillMask.Run) throws {
        let folder = Fixtures.url(try #require(Self.folders[run.modelName]))
        let tokenizer = try WordPieceTokenizer(folder: folder)
        let encoding = tokenizer.encode(run.text, addSpecialTokens: true, truncation: false, maxLength: nil)
        #expect(encoding.ids == run.input_ids)
        let fill = try FillMask(model: RuntimeModel(folder: folder.path))
        let expected = try #require(run.predictions)
        let masks = encoding.positions(of: tokenizer.maskTokenID)
        let got = try fill.predict(inputIDs: encoding.ids, maskTokenID: tokenizer.maskTokenID, topK: 5)
        try #require(got.count == expected.count && masks.count == expected.count)
        for (m, (candidates, reference)) in zip(got, expected).enumerated() {
            #expect(candidates.map(\.token) == reference.map(\.token), "mask \(m)")
            for (c, r) in zip(candidates, reference) {
                #expect(abs(Double(c.score) - r.score) < 1e-5, "mask \(m) token \(c.token): \(c.score) vs \(r.score)")
                let text = tokenizer.fillMaskText(inputIDs: encoding.ids, maskPosition: masks[m], candidate: c.token, maskCount: masks.count)
                #expect(text.tokenString == r.token_str)
                #expect(text.sequence == r.sequence)
            }
        }
    }

    @Test func everyRunIsChecked() {
        #expect(Self.runs.count == 11)
        #expect(Self.runs.contains { $0.input_ids.count > 256 && $0.modelName == "bert-lsg-pretraining-1024" })
    }
}
