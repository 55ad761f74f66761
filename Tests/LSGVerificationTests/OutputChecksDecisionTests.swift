import Testing
@testable import LSGVerification

/// The pass/fail decisions of checks 5a-5c on hand-written outputs (2 tokens, hidden 2, vocab 3),
/// whose figures are computed by hand. The runtime-backed end-to-end tests live in
/// RuntimeOutputChecksTests once LSGRuntime is in the build.
@Suite struct OutputChecksDecisionTests {
    /// Returns fixed outputs: the original's, and the LSG model's per mode.
    final class HandWrittenOutputs: OutputBackend {
        let hiddenSize = 2
        let vocabSize = 3
        var originalOutputs: ModelOutputs
        var dense: ModelOutputs
        var configured: ModelOutputs

        init(original: ModelOutputs, dense: ModelOutputs, configured: ModelOutputs) {
            originalOutputs = original
            self.dense = dense
            self.configured = configured
        }

        func original(_ ids: [Int]) throws -> ModelOutputs { originalOutputs }
        func lsg(_ ids: [Int], mode: LSGForwardMode) throws -> ModelOutputs { mode == .globalsMaskedDense ? dense : configured }
    }

    static let reference = ModelOutputs(hidden: [1, 0, 3, 4], logits: [0, 5, 1, 2, 0, 9])

    @Test func equivalenceWithinTolerancePasses() throws {
        let dense = ModelOutputs(hidden: [1, 0.00005, 3, 4], logits: [0, 5, 1, 2, 0.0009, 9])
        let backend = HandWrittenOutputs(original: Self.reference, dense: dense, configured: dense)
        let result = try OutputChecks.equivalence(backend, inputs: [[0, 2]])
        #expect(result.status == .passed)
        #expect(result.figure == "hidden 5e-05, logits 0.0009")
    }

    @Test func equivalenceBeyondToleranceFailsWithTheLength() throws {
        let dense = ModelOutputs(hidden: [1, 0.0002, 3, 4], logits: [0, 5, 1, 2, 0.002, 9])
        let backend = HandWrittenOutputs(original: Self.reference, dense: dense, configured: dense)
        let result = try OutputChecks.equivalence(backend, inputs: [[0, 2]])
        #expect(result.status == .failed)
        #expect(result.problems == ["length 2: hidden states differ by 0.0002 > 0.0001",
                                    "length 2: logits differ by 0.002 > 0.001"])
    }

    @Test func fidelityReportsCosineAndTopK() throws {
        // Token 0: [1,0] vs [1,1] -> cos 1/sqrt(2) = 0.707107; token 1: [3,4] vs [3,4] -> 1.
        // Masked position 1: original best id 2; LSG logits [0, 9, 8] -> top-1 id 1 (disagree), top-5 contains 2.
        let configured = ModelOutputs(hidden: [1, 1, 3, 4], logits: [0, 5, 1, 0, 9, 8])
        let backend = HandWrittenOutputs(original: Self.reference, dense: configured, configured: configured)
        let input = OutputInput(ids: [0, 300], maskedPositions: [1])
        let all = try OutputChecks.fidelity(backend, inputs: [input], minCosine: nil, minTop1: nil)
        #expect(all.status == .passed)  // no thresholds: reported only
        #expect(all.figure == "cos mean 0.853553 min 0.707107, top1 0 top5 1")
        let strict = try OutputChecks.fidelity(backend, inputs: [input], minCosine: 0.9, minTop1: 0.5)
        #expect(strict.status == .failed)
        #expect(strict.problems == ["top-1 agreement 0 < --min-top1 0.5", "mean cosine 0.853553 < --min-cosine 0.9"])
        // With pool_with_global, token 0 is left out: only token 1 (cos 1) counts.
        let pooled = try OutputChecks.fidelity(backend, inputs: [input], minCosine: 0.9, minTop1: nil, skipFirstToken: true)
        #expect(pooled.status == .passed)
        #expect(pooled.figure.hasPrefix("cos mean 1 min 1"))
    }

    @Test func longInputFailsOnNonFiniteOutputs() throws {
        let broken = ModelOutputs(hidden: [1, .nan, 3, .infinity], logits: nil)
        let backend = HandWrittenOutputs(original: Self.reference, dense: broken, configured: broken)
        let result = try OutputChecks.longInput(backend, ids: [0, 2])
        #expect(result.status == .failed)
        #expect(result.problems == ["2 non-finite values in the outputs of a 2-token input"])
        let fine = HandWrittenOutputs(original: Self.reference, dense: Self.reference, configured: Self.reference)
        let passed = try OutputChecks.longInput(fine, ids: [0, 2])
        #expect(passed.status == .passed)
        #expect(passed.message == "all 10 outputs finite")  // 4 hidden + 6 logits
    }
}
