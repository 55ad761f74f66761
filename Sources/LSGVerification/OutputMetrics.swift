/// The numbers the output checks report.
public enum OutputMetrics {
    /// max |a - b| over equal-length arrays (infinity when the lengths differ or a NaN appears).
    public static func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        guard a.count == b.count else { return .infinity }
        var result: Float = 0
        for i in a.indices {
            let d = abs(a[i] - b[i])
            if d.isNaN { return .infinity }
            result = max(result, d)
        }
        return result
    }

    /// Cosine similarity of each row of two t x `width` matrices (in Double). A zero row gives 0
    /// against a non-zero row and 1 against a zero row.
    public static func rowCosines(_ a: [Float], _ b: [Float], width: Int) -> [Double] {
        guard width > 0, a.count == b.count, a.count % width == 0 else { return [0] }
        return (0..<(a.count / width)).map { row in
            var dot = 0.0, na = 0.0, nb = 0.0
            for c in 0..<width {
                let x = Double(a[row * width + c]), y = Double(b[row * width + c])
                dot += x * y
                na += x * x
                nb += y * y
            }
            if na == 0 || nb == 0 { return na == nb ? 1 : 0 }
            return dot / (na.squareRoot() * nb.squareRoot())
        }
    }

    /// At each of `positions` (rows of t x `vocab` logits): whether the LSG model's top-1 token is the
    /// original's top-1 (`top1`), and whether the original's top-1 is among the LSG model's 5 best
    /// (`top5`). Ties break toward the lower token id, as `argmax` does.
    public static func topKAgreement(_ original: [Float], _ lsg: [Float], vocab: Int, positions: [Int]) -> (top1: Int, top5: Int) {
        var top1 = 0, top5 = 0
        for p in positions where (p + 1) * vocab <= min(original.count, lsg.count) {
            let reference = ranked(original, row: p, vocab: vocab, count: 1)[0]
            let best = ranked(lsg, row: p, vocab: vocab, count: 5)
            if best.first == reference { top1 += 1 }
            if best.contains(reference) { top5 += 1 }
        }
        return (top1, top5)
    }

    /// The `count` best token ids of one row, best first.
    static func ranked(_ logits: [Float], row: Int, vocab: Int, count: Int) -> [Int] {
        let base = row * vocab
        return (0..<vocab).sorted { i, j in
            let (x, y) = (logits[base + i], logits[base + j])
            return x != y ? x > y : i < j
        }.prefix(count).map { $0 }
    }
}
