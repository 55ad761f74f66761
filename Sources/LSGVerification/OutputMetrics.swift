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

    /// The `count` best token ids of one row, best first; equal logits rank the lower id first
    /// (as `argmax` and a stable descending sort do).
    ///
    /// One pass keeping the best `count` ids in order (a sorted insert into at most `count` slots):
    /// check 5b asks for 1 and 5 of 50265 per masked position, and the full sort of the vocabulary it
    /// replaced took 8 % of `verify`'s CPU time (issue 14). NaN never ranks above a number; NaNs
    /// fill the list only when a row has fewer than `count` other values.
    static func ranked(_ logits: [Float], row: Int, vocab: Int, count: Int) -> [Int] {
        guard count > 0, vocab > 0 else { return [] }
        let base = row * vocab
        var best: [Int] = []
        best.reserveCapacity(count + 1)
        // Whether x ranks strictly above y (numbers above NaN; equal values keep their id order).
        @inline(__always) func above(_ x: Float, _ y: Float) -> Bool { x > y || (y.isNaN && !x.isNaN) }
        logits.withUnsafeBufferPointer { values in
            for id in 0..<vocab {
                let x = values[base + id]
                // The last kept value bounds every later candidate once the list is full.
                if best.count == count, !above(x, values[base + best[count - 1]]) { continue }
                var slot = best.count
                while slot > 0, above(x, values[base + best[slot - 1]]) { slot -= 1 }
                best.insert(id, at: slot)
                if best.count > count { best.removeLast() }
            }
        }
        return best
    }
}
