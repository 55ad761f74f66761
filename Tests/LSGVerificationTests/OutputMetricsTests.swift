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

    @Test("the one-pass top-k equals a stable descending sort, ties included", arguments: [1, 5, 7])
    func rankedMatchesAStableSort(count: Int) {
        var state: UInt64 = 12345
        for vocab in [1, 3, 5, 6, 100, 2000] {
            // Few distinct values, so most rows have ties at the top.
            let rows = 4
            let logits: [Float] = (0..<(rows * vocab)).map { _ in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return Float(Int(state >> 60)) - 8
            }
            for row in 0..<rows {
                let base = row * vocab
                let expected = (0..<vocab).sorted { i, j in
                    let (x, y) = (logits[base + i], logits[base + j])
                    return x != y ? x > y : i < j
                }.prefix(count)
                #expect(OutputMetrics.ranked(logits, row: row, vocab: vocab, count: count) == Array(expected), "vocab \(vocab) row \(row)")
            }
        }
    }

    @Test func nanNeverRanksAboveANumber() {
        let row: [Float] = [.nan, 1, .nan, 3, 2]
        #expect(OutputMetrics.ranked(row, row: 0, vocab: 5, count: 1) == [3])
        #expect(OutputMetrics.ranked(row, row: 0, vocab: 5, count: 4) == [3, 4, 1, 0])
        #expect(OutputMetrics.ranked([.nan, .nan, 5], row: 0, vocab: 3, count: 2) == [2, 0])
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
