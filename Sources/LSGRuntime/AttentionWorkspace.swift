// Gathered keys/values for one group of queries, and the softmax(QKᵀ/√d)V product over them.

/// Scratch space for attending a group of queries (one LSG block, the global queries, or a chunk of a
/// dense sequence) to an explicit list of keys. Masked keys are never gathered: in float32 their
/// weight `exp(MIN - max)` is exactly 0 in the reference, so leaving them out changes only the
/// summation order (lsg-reference.md §7.3).
final class AttentionWorkspace {
    let headDim: Int
    private(set) var capacity: Int
    private(set) var keys: UnsafeMutablePointer<Float>
    private(set) var values: UnsafeMutablePointer<Float>
    private var scores: UnsafeMutablePointer<Float>
    private var scoreCapacity: Int
    /// Keys gathered so far.
    private(set) var count = 0
    /// Queries per score chunk.
    static let queryChunk = 128

    init(headDim: Int, capacity: Int) {
        self.headDim = headDim
        self.capacity = max(capacity, 1)
        keys = .allocate(capacity: self.capacity * headDim)
        values = .allocate(capacity: self.capacity * headDim)
        scoreCapacity = Self.queryChunk * self.capacity
        scores = .allocate(capacity: scoreCapacity)
    }

    deinit {
        keys.deallocate()
        values.deallocate()
        scores.deallocate()
    }

    /// Empties the key list, making room for `expected` keys.
    func reset(expected: Int) {
        count = 0
        if expected > capacity {
            keys.deallocate(); values.deallocate(); scores.deallocate()
            capacity = expected
            keys = .allocate(capacity: capacity * headDim)
            values = .allocate(capacity: capacity * headDim)
            scoreCapacity = Self.queryChunk * capacity
            scores = .allocate(capacity: scoreCapacity)
        }
    }

    /// Appends one key row and its value row (`headDim` floats each).
    @inline(__always)
    func append(key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        precondition(count < capacity, "AttentionWorkspace overflow")
        (keys + count * headDim).update(from: key, count: headDim)
        (values + count * headDim).update(from: value, count: headDim)
        count += 1
    }

    /// `out[i] = softmax(q[i] · Kᵀ / √d) · V` for `queryCount` query rows (row stride `queryStride`),
    /// written with row stride `outStride`. With `uniform`, every gathered key gets the same weight
    /// (the reference's result when all keys are masked: all scores round to MIN).
    func attend(queries: UnsafePointer<Float>, queryStride: Int, queryCount: Int,
                out: UnsafeMutablePointer<Float>, outStride: Int, uniform: Bool = false) {
        let d = headDim
        let nk = count
        guard nk > 0 else {
            for i in 0..<queryCount { (out + i * outStride).update(repeating: 0, count: d) }
            return
        }
        let scale = 1 / Float(d).squareRoot()
        var q0 = 0
        while q0 < queryCount {
            let nq = min(Self.queryChunk, queryCount - q0)
            if uniform {
                scores.update(repeating: 1 / Float(nk), count: nq * nk)
            } else {
                GEMM.multiply(m: nq, n: nk, k: d, a: queries + q0 * queryStride, lda: queryStride,
                              b: keys, ldb: d, layout: .transposed, c: scores, ldc: nk, parallel: false)
                for i in 0..<nq {
                    let row = scores + i * nk
                    VectorMath.scaleInPlace(row, count: nk, by: scale)
                    VectorMath.softmaxInPlace(row, count: nk)
                }
            }
            GEMM.multiply(m: nq, n: d, k: nk, a: scores, lda: nk, b: values, ldb: d, layout: .normal,
                          c: out + q0 * outStride, ldc: outStride, parallel: false)
            q0 += nq
        }
    }
}
