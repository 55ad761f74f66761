import CheckpointIO
import Foundation
import LSGConversion
import LSGRuntime
import Testing
import TestSupport
import Tokenization

/// `FillMask` + the folder's tokenizer (`TokenizerLoader`) reproduce transformers 4.36.2 `pipeline("fill-mask")`: the same
/// input ids, the same top-5 token ids per mask, scores within 1e-5, the same token_str and sequence.
@Suite("fill-mask matches the transformers pipeline")
struct FillMaskReferenceTests {
    @Test func fixturesLoad() {
        #expect(ReferenceFillMask.tinyRuns.count == 8)
        #expect(ReferenceFillMask.lsgFixtureRuns.count == 15)
        // The LSG fixture must reach the sparse path (> 2 blocks of 128) and truncation.
        #expect(ReferenceFillMask.lsgFixtureRuns.contains { $0.modelName == "tiny-lsg-1024" && $0.input_ids.count > 512 && $0.predictions != nil })
        #expect(ReferenceFillMask.lsgFixtureRuns.contains { $0.truncation == true && $0.error != nil })
    }

    @Test("tiny RoBERTa, short texts", arguments: ReferenceFillMask.tinyRuns)
    func tinyRoberta(run: ReferenceFillMask.Run) throws {
        try Self.check(run, folder: Fixtures.url("models/tiny-roberta-mlm"))
    }

    @Test("LSG conversion of the tiny model and long inputs", arguments: ReferenceFillMask.lsgFixtureRuns)
    func lsgConversion(run: ReferenceFillMask.Run) throws {
        guard run.modelName == "tiny-lsg-1024" else {
            try Self.check(run, folder: Fixtures.url("models/tiny-roberta-mlm"))
            return
        }
        // The reference's conversion: LSGConverter(max_sequence_length=1024), default LSG options.
        let temp = try TemporaryDirectory("fill-mask-lsg")
        let source = try ModelFolder(url: Fixtures.url("models/tiny-roberta-mlm"))
        var options = ConversionOptions()
        options.maxLength = 1024
        var converter = LSGConverter(folder: source, source: try source.openWeights(), options: options)
        converter.hashSource = false
        let output = temp.url("tiny-lsg-1024")
        try converter.convert(plan: try converter.plan(), to: output, force: false)
        try Self.check(run, folder: output)
    }

    /// Tokenizes as the pipeline did, runs the model, compares ids, scores and strings.
    static func check(_ run: ReferenceFillMask.Run, folder: URL) throws {
        let tokenizer = try TokenizerLoader.load(folder: folder)
        let encoding = tokenizer.encode(run.text, addSpecialTokens: true, truncation: run.truncation ?? false, maxLength: nil)
        #expect(encoding.ids == run.input_ids)
        let fill = try FillMask(model: RuntimeModel(folder: folder.path))

        if let error = run.error {
            #expect(error.hasPrefix("No mask_token"))
            #expect(throws: RuntimeError.self) {
                try fill.predict(inputIDs: encoding.ids, maskTokenID: tokenizer.maskTokenID, topK: 5)
            }
            return
        }
        let expected = try #require(run.predictions)
        let masks = encoding.positions(of: tokenizer.maskTokenID)
        let got = try fill.predict(inputIDs: encoding.ids, maskTokenID: tokenizer.maskTokenID, topK: 5)
        try #require(got.count == expected.count && masks.count == expected.count)
        for (m, (candidates, reference)) in zip(got, expected).enumerated() {
            #expect(candidates.map(\.token) == reference.map(\.token), "mask \(m)")
            for (c, r) in zip(candidates, reference) {
                #expect(abs(Double(c.score) - r.score) < 1e-5, "mask \(m) token \(c.token): \(c.score) vs \(r.score)")
                let text = tokenizer.fillMaskText(inputIDs: encoding.ids, maskPosition: masks[m],
                                                  candidate: c.token, maskCount: masks.count)
                #expect(text.tokenString == r.token_str)
                #expect(text.sequence == r.sequence)
            }
        }
    }
}

/// The softmax and top-k on hand-computed numbers.
@Suite struct FillMaskTopKTests {
    @Test func softmaxAndOrder() {
        // softmax(log [1, 4, 2, 3]) = [0.1, 0.4, 0.2, 0.3].
        let logits: [Float] = [1, 4, 2, 3].map { Float(Foundation.log(Double($0))) + 7 }
        let top = FillMask.topK(logits, k: 3)
        #expect(top.map(\.token) == [1, 3, 2])
        for (c, want) in zip(top, [0.4, 0.3, 0.2]) { #expect(abs(Double(c.score) - want) < 1e-6) }  // logits rounded to Float32
    }

    @Test func largeLogitsDoNotOverflowAndTiesKeepTheLowerIdFirst() {
        let top = FillMask.topK([1000, 1000, -1000, 999], k: 10)
        #expect(top.map(\.token) == [0, 1, 3, 2])   // k capped at the vocabulary size
        let e = Foundation.exp(-1.0)
        #expect(abs(Double(top[0].score) - 1 / (2 + e)) < 1e-7)
        #expect(top[0].score == top[1].score)
        #expect(abs(Double(top[2].score) - e / (2 + e)) < 1e-7)
        #expect(top[3].score == 0)
    }

    @Test func aModelWithoutMaskedLMHeadIsRefused() throws {
        let model = try RuntimeModel(folder: Fixtures.path("models/tiny-roberta-mlm"), head: .model)
        #expect(throws: RuntimeError.self) { try FillMask(model: model) }
    }

    @Test func aTextWithoutMaskIsRefused() throws {
        let fill = try FillMask(model: RuntimeModel(folder: Fixtures.path("models/tiny-roberta-mlm")))
        #expect(throws: RuntimeError.invalidInput("No mask_token found on the input")) {
            try fill.predict(inputIDs: [0, 51, 2], maskTokenID: 300, topK: 5)
        }
    }
}

/// The same on XLM-R: the tiny random XLMRobertaForMaskedLM with its SentencePiece Unigram tokenizer
/// and its LSG conversion, against transformers 4.36.2 `pipeline("fill-mask")`
/// (`fixtures/fill_mask/tiny-xlmr-lsg.json`, make_unigram_fixtures.py).
@Suite("fill-mask on XLM-R (Unigram tokenizer) matches the transformers pipeline")
struct XLMRobertaFillMaskTests {
    static let runs: [ReferenceFillMask.Run] = (try? ReferenceFillMask.load("fill_mask/tiny-xlmr-lsg.json"))?.runs ?? []

    @Test func fixturesLoad() {
        #expect(Self.runs.count == 18)
        #expect(Self.runs.contains { $0.modelName == "tiny-xlmr-lsg-1024" && $0.input_ids.count > 512 })
    }

    @Test("tiny XLM-R and its LSG conversion", arguments: runs)
    func run(run: ReferenceFillMask.Run) throws {
        guard run.modelName == "tiny-xlmr-lsg-1024" else {
            try FillMaskReferenceTests.check(run, folder: Fixtures.url("models/tiny-xlmr-mlm"))
            return
        }
        // The reference's conversion: LSGConverter(max_sequence_length=1024), default LSG options.
        let temp = try TemporaryDirectory("fill-mask-xlmr")
        let source = try ModelFolder(url: Fixtures.url("models/tiny-xlmr-mlm"))
        var options = ConversionOptions()
        options.maxLength = 1024
        var converter = LSGConverter(folder: source, source: try source.openWeights(), options: options)
        converter.hashSource = false
        let output = temp.url("tiny-xlmr-lsg-1024")
        try converter.convert(plan: try converter.plan(), to: output, force: false)
        try FillMaskReferenceTests.check(run, folder: output)
    }
}
