import Testing
@testable import LSGVerification

/// The output checks' numbers against hand-computed values.
@Suite struct OutputMetricsTests {
    @Test func rowCosines() {
        // Rows: [1,0]·[1,1] = 1/sqrt(2); [0,2]·[0,5] = 1; [3,4]·[-3,-4] = -1; zero row vs non-zero = 0.
        let cosines = OutputMetrics.rowCosines([1, 0, 0, 2, 3, 4, 0, 0], [1, 1, 0, 5, -3, -4, 1, 0], width: 2)
        #expect(abs(cosines[0] - 0.5.squareRoot()) < 1e-12)
        #expect(cosines[1] == 1)
        #expect(cosines[2] == -1)
        #expect(cosines[3] == 0)
    }

    @Test func maxAbsDifference() {
        #expect(OutputMetrics.maxAbsDifference([1, 2, 3], [1, 2.5, 2]) == 1)
        #expect(OutputMetrics.maxAbsDifference([1], [.nan]) == .infinity)
        #expect(OutputMetrics.maxAbsDifference([1], [1, 2]) == .infinity)
    }

    @Test func topKAgreement() {
        // vocab 6, two positions. Row 0: original best = 2; LSG best = 2 -> top1 and top5 agree.
        // Row 1: original best = 5; LSG order 0 > 1 > 2 > 3 > 5 > 4 -> 5 is 5th: top5 only.
        let original: [Float] = [0, 0, 9, 0, 0, 0, /**/ 0, 0, 0, 0, 0, 9]
        let lsg: [Float] = [0, 1, 8, 0, 0, 0, /**/ 9, 8, 7, 6, 4, 5]
        let agreement = OutputMetrics.topKAgreement(original, lsg, vocab: 6, positions: [0, 1])
        #expect(agreement.top1 == 1)
        #expect(agreement.top5 == 2)
        // Ties break toward the lower id, like argmax: all-equal rows agree on id 0.
        #expect(OutputMetrics.topKAgreement([Float](repeating: 1, count: 6), [Float](repeating: 2, count: 6), vocab: 6, positions: [0]).top1 == 1)
    }

    @Test func randomInputIsReproducibleAndWellFormed() {
        let a = OutputInput.random(length: 30, vocab: 301, bos: 0, eos: 2, mask: 300)
        let b = OutputInput.random(length: 30, vocab: 301, bos: 0, eos: 2, mask: 300)
        #expect(a == b)
        #expect(a.ids.count == 30)
        #expect(a.ids.first == 0 && a.ids.last == 2)
        #expect(a.maskedPositions == [7, 14, 21, 28])
        #expect(a.maskedPositions.allSatisfy { a.ids[$0] == 300 })
        let inner = a.ids.indices.dropFirst().dropLast().filter { !a.maskedPositions.contains($0) }
        #expect(inner.allSatisfy { (4..<300).contains(a.ids[$0]) })
        #expect(OutputInput.random(length: 30, vocab: 301, bos: 0, eos: 2, mask: 300, seed: 7) != a)
    }
}
