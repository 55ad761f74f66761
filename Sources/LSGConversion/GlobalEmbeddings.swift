import Dispatch

/// The 512 x D global-token table of an LSG model (reference §5). Computed in Float32, as the
/// reference does (it loads every source in float32), and rounded to the output dtype afterwards.
public enum GlobalEmbeddings {
    /// The table always has 512 rows; only the first `num_global_tokens` are used.
    public static let rows = 512

    /// `order_positions(P_old[2:], stride)` (reference §5a) as an index map: for each global row j,
    /// the row of `positions` (the source's table without its 2 offset rows, `positionRows` rows) it
    /// copies, or `nil` for the rows the reference draws at random when the source has fewer than 512
    /// positions (`randomRow` then gives which of those draws: index into the appended rows).
    ///
    /// 1. n > 512 and not a multiple of 512: keep the first 512·floor(n/512) rows; n < 512: append
    ///    512 - n random rows. 2. f = n/512, keep every f-th row. 3. q = stride // f, k = 512 / q,
    ///    `ordered[j] = sub[(j mod k)·q + j div k]` (a reshape(-1, q, D).transpose(0, 1)), so
    ///    consecutive global tokens sit `stride` positions apart.
    /// Throws when q does not divide 512 (the reference's reshape raises).
    public static func orderedSourceRows(positionRows n: Int, stride: Int) throws -> [OrderedRow] {
        let padded = n >= rows ? rows * (n / rows) : rows
        let f = padded / rows
        let q = stride / f
        guard stride > 0, q >= 1, rows % q == 0 else {
            throw ConversionError(.invalidOption, "--global-positional-stride",
                                  "\(stride) does not work with a source of \(n) positions: stride // \(f) = \(q) must divide 512 (the reference fails on its reshape); use a power of two between \(f) and \(512 * f)")
        }
        let k = rows / q
        return (0..<rows).map { j in
            let index = ((j % k) * q + j / k) * f
            return index < n ? .position(index) : .random(index - n)
        }
    }

    /// Where a global row's position part comes from.
    public enum OrderedRow: Equatable, Sendable {
        /// Row of `P_old[2:]`.
        case position(Int)
        /// The i-th of the rows drawn from normal(column mean, column std) for short sources.
        case random(Int)
    }

    /// The ordered position rows (512 x D, row-major), §5a. `positions` is `P_old[2:]` (n x D) in
    /// Float32. Missing rows of short sources are drawn from normal(mean, unbiased std) per column.
    public static func orderedPositions(_ positions: [Float], hidden D: Int, stride: Int,
                                        random: inout SeededGaussian) throws -> [Float] {
        let n = positions.count / D
        let map = try orderedSourceRows(positionRows: n, stride: stride)
        var extra: [Float] = []
        if n < rows {
            // torch.normal(mean, std) with the per-column mean and unbiased std (torch.std default).
            var mean = [Double](repeating: 0, count: D)
            var m2 = [Double](repeating: 0, count: D)
            for r in 0..<n { for c in 0..<D { mean[c] += Double(positions[r * D + c]) } }
            for c in 0..<D { mean[c] /= Double(n) }
            for r in 0..<n { for c in 0..<D { let d = Double(positions[r * D + c]) - mean[c]; m2[c] += d * d } }
            let std = m2.map { n > 1 ? ($0 / Double(n - 1)).squareRoot() : 0 }
            extra = [Float](repeating: 0, count: (rows - n) * D)
            for r in 0..<(rows - n) { for c in 0..<D { extra[r * D + c] = Float(mean[c] + std[c] * random.next()) } }
        }
        var out = [Float](repeating: 0, count: rows * D)
        for (j, source) in map.enumerated() {
            switch source {
            case let .position(i): for c in 0..<D { out[j * D + c] = positions[i * D + c] }
            case let .random(i): for c in 0..<D { out[j * D + c] = extra[i * D + c] }
            }
        }
        return out
    }

    /// Deterministic init (§5b): `ordered[0] + word[bos]`, `ordered[j] + word[mask]` for j ≥ 1,
    /// added in Float32, then `+ tokenType` on every row when given (BERT's conversion with
    /// `use_token_ids`: `positions += token_type_embeddings[0]` after the word rows, in that order).
    /// No LayerNorm.
    public static func deterministic(ordered: [Float], hidden D: Int, bosRow: [Float], maskRow: [Float],
                                     tokenType: [Float]? = nil) -> [Float] {
        var out = ordered
        for j in 0..<rows {
            let word = j == 0 ? bosRow : maskRow
            for c in 0..<D { out[j * D + c] += word[c] }
            if let tokenType { for c in 0..<D { out[j * D + c] += tokenType[c] } }
        }
        return out
    }

    /// Column means and the unbiased covariance (`torch.cov(u.T)`, D x D) of the V x D word embeddings.
    /// Rows are centred and taken 256 at a time, transposed, so that each covariance entry gains a
    /// contiguous 256-long Float32 dot product (vectorised, cache-resident) added into a Float64
    /// accumulator: ~20x faster than row-by-row rank-1 updates for roberta-base (50265 x 768).
    public static func covariance(vocabulary V: Int, hidden D: Int, wordRow: (Int) -> [Float]) -> (mean: [Double], matrix: [Double]) {
        var mean = [Double](repeating: 0, count: D)
        for v in 0..<V { let row = wordRow(v); for c in 0..<D { mean[c] += Double(row[c]) } }
        for c in 0..<D { mean[c] /= Double(V) }
        let chunk = 256
        var matrix = [Double](repeating: 0, count: D * D)
        var block = [Float](repeating: 0, count: D * chunk)   // transposed: block[c * chunk + r]
        var start = 0
        while start < V {
            let n = min(chunk, V - start)
            for r in 0..<n {
                let row = wordRow(start + r)
                for c in 0..<D { block[c * chunk + r] = Float(Double(row[c]) - mean[c]) }
            }
            for r in n..<chunk { for c in 0..<D { block[c * chunk + r] = 0 } }
            block.withUnsafeBufferPointer { b in
                matrix.withUnsafeMutableBufferPointer { m in
                    // Rows i of the upper triangle are independent: spread them over the cores.
                    nonisolated(unsafe) let base = b.baseAddress!
                    nonisolated(unsafe) let m = m
                    DispatchQueue.concurrentPerform(iterations: D) { i in
                        let a = UnsafeRawPointer(base + i * chunk)
                        for j in i..<D {
                            let x = UnsafeRawPointer(base + j * chunk)
                            var acc = SIMD8<Float>()
                            var k = 0
                            while k < chunk {
                                acc += a.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
                                    * x.loadUnaligned(fromByteOffset: 4 * k, as: SIMD8<Float>.self)
                                k += 8
                            }
                            m[i * D + j] += Double(acc.sum())
                        }
                    }
                }
            }
            start += n
        }
        for i in 0..<D {
            for j in i..<D {
                matrix[i * D + j] /= Double(V - 1)
                matrix[j * D + i] = matrix[i * D + j]
            }
        }
        return (mean, matrix)
    }

    /// Random init (§5c): 512 draws from the multivariate normal with the word embeddings' mean and
    /// unbiased covariance (`torch.cov(u.T)`), row 0 replaced by `word[bos]`, plus the ordered
    /// positions. The draws are `mean + L·z` with `L` the Cholesky factor of the covariance (what
    /// torch's MultivariateNormal does) and z from `random`; they match torch only in distribution.
    /// - Parameter wordRow: row `i` of the word embeddings (V x D) as Float32.
    public static func random(ordered: [Float], hidden D: Int, vocabulary V: Int, bosRow: [Float],
                              wordRow: (Int) -> [Float], random: inout SeededGaussian) throws -> [Float] {
        guard V > D else {
            throw ConversionError(.invalidOption, "--random-global-init",
                                  "the word embeddings' covariance is singular (vocabulary \(V) ≤ hidden size \(D)); use the deterministic init")
        }
        let cov = covariance(vocabulary: V, hidden: D, wordRow: wordRow)
        let mean = cov.mean
        // Cholesky: cov = L Lᵀ, L lower-triangular.
        var l = [Double](repeating: 0, count: D * D)
        for i in 0..<D {
            for j in 0...i {
                var sum = cov.matrix[i * D + j]
                for k in 0..<j { sum -= l[i * D + k] * l[j * D + k] }
                if i == j {
                    guard sum > 0 else {
                        throw ConversionError(.invalidOption, "--random-global-init",
                                              "the word embeddings' covariance is not positive definite; use the deterministic init")
                    }
                    l[i * D + i] = sum.squareRoot()
                } else {
                    l[i * D + j] = sum / l[j * D + j]
                }
            }
        }
        var out = ordered
        var z = [Double](repeating: 0, count: D)
        for j in 0..<rows {
            for c in 0..<D { z[c] = random.next() }
            for c in 0..<D {
                let w: Float
                if j == 0 {
                    w = bosRow[c]
                } else {
                    var s = mean[c]
                    for k in 0...c { s += l[c * D + k] * z[k] }
                    w = Float(s)
                }
                out[j * D + c] = w + ordered[j * D + c]
            }
        }
        return out
    }
}
