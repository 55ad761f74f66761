// A PyTorch-layout weight packed once into the GEMM's B panels, for many products with it.

/// A weight `W [n, k]` (PyTorch `[out, in]`) packed into ``GEMM``'s 48-column B panels once, so that
/// `C = A · Wᵀ + bias` can run block of rows by block of rows without packing W again for each:
/// `infer` computes the MLM decoder (`[50265, 768]` for roberta-base, 154 MB packed) in row blocks
/// whose output pages are given back as each block is done (``LogitsDecoder``). Every row's result is
/// bit-identical to ``GEMM/multiply(m:n:k:a:lda:b:ldb:layout:c:ldc:bias:accumulate:parallel:)`` with
/// `.transposed` for more than ``GEMM/fewRowsLimit`` rows: the same micro-kernels over the same
/// `kc`-deep slices (each output element depends only on its row of A and column of B).
final class PackedWeightPanels {
    /// Output features (B columns).
    let n: Int
    /// Input features (depth).
    let k: Int
    /// Depth slice `s` (`p0 = s * kc`) starts at `sliceOffsets[s]`: `ceil(n / 48)` panels of `[kb][48]`.
    private let sliceOffsets: [Int]
    private let data: UnsafeMutablePointer<Float>

    /// Packs `weight [n, k]` (row stride `k`).
    init(weight: UnsafePointer<Float>, n: Int, k: Int, parallel: Bool = true) {
        self.n = n
        self.k = k
        let panels = (n + GEMM.nr - 1) / GEMM.nr
        var offsets: [Int] = []
        var total = 0
        for p0 in stride(from: 0, to: k, by: GEMM.kc) {
            offsets.append(total)
            total += panels * min(GEMM.kc, k - p0) * GEMM.nr
        }
        sliceOffsets = offsets
        data = .allocate(capacity: max(1, total))
        for (index, p0) in stride(from: 0, to: k, by: GEMM.kc).enumerated() {
            GEMM.packSliceB(b: weight, ldb: k, layout: .transposed, n: n, p0: p0, kb: min(GEMM.kc, k - p0),
                            into: data + offsets[index], parallel: parallel)
        }
    }

    deinit { data.deallocate() }

    /// `C[m, n] = A[m, k] · Wᵀ + bias[n]`.
    /// - Parameters:
    ///   - a: `[m, k]` with row stride `lda`.
    ///   - c: `[m, n]` with row stride `ldc`.
    ///   - bias: `[n]`, added to every row.
    func multiply(m: Int, a: UnsafePointer<Float>, lda: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                  bias: UnsafePointer<Float>?, parallel: Bool = true) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else {
            for i in 0..<m {
                for j in 0..<n { c[i * ldc + j] = bias?[j] ?? 0 }
            }
            return
        }
        for (index, p0) in stride(from: 0, to: k, by: GEMM.kc).enumerated() {
            GEMM.multiplySlice(m: m, n: n, kb: min(GEMM.kc, k - p0), p0: p0, a: a, lda: lda,
                               packedB: data + sliceOffsets[index], c: c, ldc: ldc,
                               bias: bias, overwrite: p0 == 0, parallel: parallel)
        }
    }
}
