// The LSG "sparse sequence" of one (batch item, head): lsg-reference.md §7.4.
import Foundation

/// The non-global queries, keys and values of one batch item and one head, as strided views.
struct HeadSequence {
    /// Row `j` of the non-global tokens (0 ..< length) starts at `base + j * stride`.
    let queries: UnsafePointer<Float>
    let keys: UnsafePointer<Float>
    let values: UnsafePointer<Float>
    let stride: Int
    let headDim: Int
    /// t' (after adaptive padding).
    let length: Int
    /// Whether token j is attendable (attention mask 1, not adaptive padding, not the masked first token).
    let live: [Bool]
    /// Head index (stride / block_stride pick positions by head).
    let head: Int

    @inline(__always) func key(_ j: Int) -> UnsafePointer<Float> { keys + j * stride }
    @inline(__always) func value(_ j: Int) -> UnsafePointer<Float> { values + j * stride }
    @inline(__always) func query(_ j: Int) -> UnsafePointer<Float> { queries + j * stride }
}

/// Sparse keys/values `[count, headDim]` and their liveness (additive mask 0 ⇔ live, MIN ⇔ dead).
struct SparseTokens {
    var keys: [Float]
    var values: [Float]
    var live: [Bool]
    var count: Int { live.count }
}

/// Builds the sparse sequence for each `sparsity_type` exactly as the reference (see the quirks in
/// docs/runtime-quirks.md).
enum SparseSelection {
    /// - Parameters:
    ///   - projections: for `lsh`, this layer's projections `[heads, headDim, hashes]` in call order
    ///     (pre-rounds, then the final round).
    static func select(_ seq: HeadSequence, settings s: LSGSettings, heads: Int, projections: [[Float]]) -> SparseTokens? {
        guard s.hasSparseKeys, let type = s.sparsityType else { return nil }
        let sf = s.sparsityFactor
        if sf == 1 { return identity(seq) }  // every selector returns the full sequence for sf == 1
        switch type {
        case .none: return nil
        case .norm: return norm(seq, chunk: min(s.blockSize, s.sparseBlockSize), factor: sf)
        case .pooling: return pooling(seq, factor: sf)
        case .stride:
            return gather(seq, positions: (0..<(seq.length / sf)).map { $0 * sf + seq.head % sf })
        case .blockStride:
            let bs = s.blockSize, w = bs / sf
            var positions: [Int] = []
            for block in 0..<(seq.length / bs) {
                for r in 0..<w { positions.append(block * bs + (seq.head * w + r) % bs) }
            }
            return gather(seq, positions: positions)
        case .bosPooling: return bosPooling(seq, factor: sf)
        case .lsh:
            if sf == s.sparseBlockSize { return bosPooling(seq, factor: sf) }  // reference: lsh with sf == sbs
            return lsh(seq, chunk: min(s.blockSize, s.sparseBlockSize), factor: sf, preRounds: s.lshNumPreRounds,
                       projections: projections)
        }
    }

    static func identity(_ seq: HeadSequence) -> SparseTokens {
        gather(seq, positions: Array(0..<seq.length))
    }

    static func gather(_ seq: HeadSequence, positions: [Int]) -> SparseTokens {
        let d = seq.headDim
        var keys = [Float](repeating: 0, count: positions.count * d)
        var values = keys
        keys.withUnsafeMutableBufferPointer { kb in
            values.withUnsafeMutableBufferPointer { vb in
                for (i, p) in positions.enumerated() {
                    (kb.baseAddress! + i * d).update(from: seq.key(p), count: d)
                    (vb.baseAddress! + i * d).update(from: seq.value(p), count: d)
                }
            }
        }
        return SparseTokens(keys: keys, values: values, live: positions.map { seq.live[$0] })
    }

    /// norm: per chunk of `c = min(bs, sbs)` tokens, score = ‖k‖₂ (0 when masked), sort ascending and
    /// keep the last `c / sf` in that ascending order.
    static func norm(_ seq: HeadSequence, chunk c: Int, factor sf: Int) -> SparseTokens {
        let keep = c / sf
        let d = seq.headDim
        var positions: [Int] = []
        positions.reserveCapacity(seq.length / c * keep)
        for chunkStart in stride(from: 0, to: seq.length - c + 1, by: c) {
            var scored: [(score: Float, index: Int)] = []
            scored.reserveCapacity(c)
            for j in chunkStart..<(chunkStart + c) {
                let score = seq.live[j] ? VectorMath.dot(seq.key(j), seq.key(j), count: d).squareRoot() : 0
                scored.append((score, j))
            }
            // Stable ascending sort; ties only occur among masked tokens (score 0), which are never attended.
            scored.sort { $0.score < $1.score || ($0.score == $1.score && $0.index < $1.index) }
            positions.append(contentsOf: scored[(c - keep)...].map(\.index))
        }
        return gather(seq, positions: positions)
    }

    /// pooling: mean of the live tokens of each group of sf (`Σ keep·k / (cnt + 1e-6)`), masked when the
    /// group has no live token.
    static func pooling(_ seq: HeadSequence, factor sf: Int) -> SparseTokens {
        let d = seq.headDim
        let groups = seq.length / sf
        var keys = [Float](repeating: 0, count: groups * d)
        var values = keys
        var live = [Bool](repeating: false, count: groups)
        for g in 0..<groups {
            var count: Float = 0
            for r in 0..<sf where seq.live[g * sf + r] {
                count += 1
                let kp = seq.key(g * sf + r), vp = seq.value(g * sf + r)
                for e in 0..<d {
                    keys[g * d + e] += kp[e]
                    values[g * d + e] += vp[e]
                }
            }
            let denominator = count + 1e-6
            for e in 0..<d {
                keys[g * d + e] /= denominator
                values[g * d + e] /= denominator
            }
            live[g] = count > 0
        }
        return SparseTokens(keys: keys, values: values, live: live)
    }

    /// bos_pooling: per group of sf, softmax of `q₀·k_j/√d + mask_j` with q₀ the first non-global
    /// query, then the weighted sums of k and v.
    ///
    /// Reference quirk (reproduced): the pooled mask is `mean(mask_j) == MIN ? MIN : 0` in float32,
    /// and for sf ≥ 2 the sum of two MINs overflows to -inf, so the pooled token is NEVER masked.
    /// A fully masked group therefore gets uniform weights (all `score + MIN` round to MIN) and is
    /// attended as the plain mean of its rows.
    static func bosPooling(_ seq: HeadSequence, factor sf: Int) -> SparseTokens {
        let d = seq.headDim
        let groups = seq.length / sf
        let q0 = seq.query(0)
        let divisor = Float(d).squareRoot()
        var keys = [Float](repeating: 0, count: groups * d)
        var values = keys
        var weights = [Float](repeating: 0, count: sf)
        for g in 0..<groups {
            var anyLive = false
            var maxScore = -Float.infinity
            for r in 0..<sf where seq.live[g * sf + r] {
                anyLive = true
                let score = VectorMath.dot(q0, seq.key(g * sf + r), count: d) / divisor
                weights[r] = score
                maxScore = max(maxScore, score)
            }
            if anyLive {
                var sum: Float = 0
                for r in 0..<sf {
                    if seq.live[g * sf + r] {
                        let e = Foundation.exp(weights[r] - maxScore)
                        weights[r] = e
                        sum += e
                    } else {
                        weights[r] = 0
                    }
                }
                for r in 0..<sf { weights[r] /= sum }
            } else {
                for r in 0..<sf { weights[r] = 1 / Float(sf) }
            }
            for r in 0..<sf where weights[r] != 0 {
                let w = weights[r]
                let kp = seq.key(g * sf + r), vp = seq.value(g * sf + r)
                for e in 0..<d {
                    keys[g * d + e] += w * kp[e]
                    values[g * d + e] += w * vp[e]
                }
            }
        }
        return SparseTokens(keys: keys, values: values, live: [Bool](repeating: true, count: groups))
    }

    /// lsh: per chunk of `c = min(bs, sbs)`, hash the (masked, normalised) keys with random projections
    /// into `c` buckets `preRounds` times, then into `c / sf` buckets, summing keys, values and counts;
    /// the result is the per-bucket mean, masked when the bucket is empty.
    static func lsh(_ seq: HeadSequence, chunk c: Int, factor sf: Int, preRounds: Int, projections: [[Float]]) -> SparseTokens {
        let d = seq.headDim
        let chunks = seq.length / c
        let finalSize = c / sf
        var outKeys = [Float](repeating: 0, count: chunks * finalSize * d)
        var outValues = outKeys
        var outLive = [Bool](repeating: false, count: chunks * finalSize)
        for b in 0..<chunks {
            // Slots: keys/values/counts; initially the chunk's tokens multiplied by keep.
            var size = c
            var keys = [Float](repeating: 0, count: c * d)
            var values = keys
            var counts = [Float](repeating: 0, count: c)
            for j in 0..<c where seq.live[b * c + j] {
                let p = b * c + j
                for e in 0..<d {
                    keys[j * d + e] = seq.key(p)[e]
                    values[j * d + e] = seq.value(p)[e]
                }
                counts[j] = 1
            }
            for round in 0...preRounds {
                let outSize = round < preRounds ? c : finalSize
                let hashes = outSize / 2
                let projection = projections[round]
                // This head's [d, hashes] slice of the [heads, d, hashes] draw.
                let offset = seq.head * d * hashes
                var newKeys = [Float](repeating: 0, count: outSize * d)
                var newValues = newKeys
                var newCounts = [Float](repeating: 0, count: outSize)
                var proj = [Float](repeating: 0, count: hashes)
                for j in 0..<size {
                    var norm: Float = 0
                    for e in 0..<d { norm += keys[j * d + e] * keys[j * d + e] }
                    let inv = 1 / max(norm.squareRoot(), 1e-12)
                    let gate = min(max(counts[j], 0), 1)
                    for hsh in 0..<hashes { proj[hsh] = 0 }
                    for e in 0..<d {
                        let x = keys[j * d + e] * inv * gate
                        for hsh in 0..<hashes { proj[hsh] += x * projection[offset + e * hashes + hsh] }
                    }
                    // argmax over concat(proj, -proj), first index on ties (torch.argmax).
                    var best = 0
                    var bestValue = -Float.infinity
                    for hsh in 0..<hashes where proj[hsh] > bestValue { bestValue = proj[hsh]; best = hsh }
                    for hsh in 0..<hashes where -proj[hsh] > bestValue { bestValue = -proj[hsh]; best = hashes + hsh }
                    for e in 0..<d {
                        newKeys[best * d + e] += keys[j * d + e]
                        newValues[best * d + e] += values[j * d + e]
                    }
                    newCounts[best] += counts[j]
                }
                keys = newKeys
                values = newValues
                counts = newCounts
                size = outSize
            }
            for slot in 0..<finalSize {
                let o = (b * finalSize + slot)
                let denominator = counts[slot] + 1e-8
                for e in 0..<d {
                    outKeys[o * d + e] = keys[slot * d + e] / denominator
                    outValues[o * d + e] = values[slot * d + e] / denominator
                }
                outLive[o] = counts[slot] > 0
            }
        }
        return SparseTokens(keys: outKeys, values: outValues, live: outLive)
    }
}
