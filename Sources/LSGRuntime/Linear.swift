// y = x · Wᵀ + b with PyTorch `[out, in]` weights.

/// A fully connected layer with a PyTorch-layout weight `[out, in]` and bias `[out]`.
struct Linear: Sendable {
    let weight: Weight
    let bias: Weight?
    let inFeatures: Int
    let outFeatures: Int

    /// Loads `<prefix>.weight` `[out, in]` and `<prefix>.bias` `[out]`.
    init(_ store: WeightStore, _ prefix: String, in inFeatures: Int, out outFeatures: Int, bias hasBias: Bool = true) throws {
        weight = try store.load(prefix + ".weight", shape: [outFeatures, inFeatures])
        bias = hasBias ? try store.load(prefix + ".bias", shape: [outFeatures]) : nil
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
    }

    init(weight: Weight, bias: Weight?) {
        self.weight = weight
        self.bias = bias
        self.outFeatures = weight.shape[0]
        self.inFeatures = weight.shape[1]
    }

    /// `x [rows, in] -> [rows, out]`.
    func callAsFunction(_ x: Matrix) -> Matrix {
        let y = Matrix(rows: x.rows, cols: outFeatures, zeroed: false)
        apply(x, into: y)
        return y
    }

    /// `y [rows, out] = x [rows, in] · Wᵀ + b`, into an existing matrix.
    func apply(_ x: Matrix, into y: Matrix) {
        precondition(y.rows == x.rows && y.cols == outFeatures, "Linear: output matrix shape")
        guard weight.releasesPagesAfterUse else {
            GEMM.multiply(m: x.rows, n: outFeatures, k: inFeatures, a: x.data, lda: x.cols,
                          b: weight.pointer, ldb: inFeatures, layout: .transposed,
                          c: y.data, ldc: outFeatures, bias: bias?.pointer)
            return
        }
        // One-shot mode: output columns in slices of <= 16 MiB of weight rows, each slice's pages
        // released once multiplied (the MLM decoder alone is 154 MB for roberta-base).
        let sliceRows = max(GEMM.nr, (16 << 20) / max(1, inFeatures * 4) / GEMM.nr * GEMM.nr)
        var start = 0
        while start < outFeatures {
            let n = min(sliceRows, outFeatures - start)
            GEMM.multiply(m: x.rows, n: n, k: inFeatures, a: x.data, lda: x.cols,
                          b: weight.pointer + start * inFeatures, ldb: inFeatures, layout: .transposed,
                          c: y.data + start, ldc: outFeatures, bias: bias.map { $0.pointer + start })
            weight.releasePages(start * inFeatures..<(start + n) * inFeatures)
            start += n
        }
        bias?.releasePages()
    }
}

/// LayerNorm weight and bias `[features]` with the config's eps.
struct LayerNorm: Sendable {
    let weight: Weight
    let bias: Weight
    let eps: Float

    init(_ store: WeightStore, _ prefix: String, features: Int, eps: Float) throws {
        weight = try store.load(prefix + ".weight", shape: [features])
        bias = try store.load(prefix + ".bias", shape: [features])
        self.eps = eps
    }

    /// Normalises every row of `x` in place (of `x + residual` when given).
    func apply(_ x: Matrix, residual: Matrix? = nil) {
        let cols = x.cols
        Parallel.forEach(min(x.rows, 64)) { part in
            let chunk = (x.rows + 63) / 64
            var r = part * chunk
            let end = min(x.rows, r + chunk)
            while r < end {
                VectorMath.layerNormInPlace(x.row(r), count: cols, weight: weight.pointer, bias: bias.pointer, eps: eps,
                                            residual: residual.map { UnsafePointer($0.row(r)) })
                r += 1
            }
        }
    }
}
