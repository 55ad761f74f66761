// Gathered keys/values for one group of queries, and the softmax(QKᵀ/√d)V product over them.

/// Scratch space for attending a group of queries (one LSG block, the global queries, or a chunk of a
/// dense sequence) to an explicit list of keys. Masked keys are never gathered: in float32 their
/// weight `exp(MIN - max)` is exactly 0 in the reference, so leaving them out changes only the
/// summation order (lsg-reference.md §7.3).
///
/// Keys and values are written straight into the GEMM's packed-B layout (48-column panels), so the
/// two products need no further packing.
final class AttentionWorkspace {
    let headDim: Int
    private(set) var capacity: Int
    /// Keys as B of `Q · Kᵀ`: panel `j / 48` holds `[headDim][48]`, key j in lane `j % 48`.
    private var packedKeys: UnsafeMutablePointer<Float>
    /// Values as B of `P · V`: `ceil(headDim / 48)` panels of `[capacity][48]`.
    private var packedValues: UnsafeMutablePointer<Float>
    private var scores: UnsafeMutablePointer<Float>
    /// Keys gathered so far.
    private(set) var count = 0
    private let valuePanels: Int
    /// Queries per score chunk.
    static let queryChunk = 128
    private static let lanes = GEMM.nr

    init(headDim: Int, capacity: Int) {
        self.headDim = headDim
        valuePanels = (headDim + Self.lanes - 1) / Self.lanes
        self.capacity = 0
        packedKeys = .allocate(capacity: 1)
        packedValues = .allocate(capacity: 1)
        scores = .allocate(capacity: 1)
        allocate(capacity)
    }

    private func allocate(_ newCapacity: Int) {
        packedKeys.deallocate(); packedValues.deallocate(); scores.deallocate()
        capacity = (max(newCapacity, 1) + Self.lanes - 1) / Self.lanes * Self.lanes
        packedKeys = .allocate(capacity: capacity * headDim)
        packedKeys.initialize(repeating: 0, count: capacity * headDim)
        packedValues = .allocate(capacity: valuePanels * capacity * Self.lanes)
        packedValues.initialize(repeating: 0, count: valuePanels * capacity * Self.lanes)
        scores = .allocate(capacity: Self.queryChunk * capacity)
    }

    deinit {
        packedKeys.deallocate()
        packedValues.deallocate()
        scores.deallocate()
    }

    /// Empties the key list, making room for `expected` keys.
    func reset(expected: Int) {
        count = 0
        if expected > capacity { allocate(expected) }
    }

    /// Appends one key row and its value row (`headDim` floats each).
    @inline(__always)
    func append(key: UnsafePointer<Float>, value: UnsafePointer<Float>) {
        precondition(count < capacity, "AttentionWorkspace overflow")
        let d = headDim, lanes = Self.lanes
        var dst = packedKeys + (count / lanes) * d * lanes + count % lanes
        for p in 0..<d {
            dst.pointee = key[p]
            dst += lanes
        }
        for panel in 0..<valuePanels {
            let width = min(lanes, d - panel * lanes)
            (packedValues + panel * capacity * lanes + count * lanes).update(from: value + panel * lanes, count: width)
        }
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
        var sums = [Float](repeating: Float(nk), count: Self.queryChunk)
        while q0 < queryCount {
            let nq = min(Self.queryChunk, queryCount - q0)
            if uniform {
                scores.update(repeating: 1, count: nq * nk)
            } else {
                GEMM.multiplyPrepacked(m: nq, n: nk, k: d, a: queries + q0 * queryStride, lda: queryStride,
                                       packedB: packedKeys, panelStride: d * Self.lanes, c: scores, ldc: nk)
                // softmax(s/√d), normalised after the product (one pass fewer over the scores).
                for i in 0..<nq { sums[i] = VectorMath.expShiftedInPlace(scores + i * nk, count: nk, scale: scale) }
            }
            let o = out + q0 * outStride
            GEMM.multiplyPrepacked(m: nq, n: d, k: nk, a: scores, lda: nk, packedB: packedValues,
                                   panelStride: capacity * Self.lanes, c: o, ldc: outStride)
            for i in 0..<nq { VectorMath.scaleInPlace(o + i * outStride, count: d, by: 1 / sums[i]) }
            q0 += nq
        }
    }
}
