// Register-blocked, cache-blocked single-precision matrix multiply in pure Swift (no BLAS).
//
// Layout follows the usual BLIS scheme (see ../shared/docs/design.md, "GEMM: pure Swift"): B is
// packed into 48-column panels and A into 8-row panels for one `kc`-deep slice at a time; an 8x48
// micro-kernel keeps 24 `SIMD16<Float>` accumulators in the AVX-512 registers. The module is built
// with `-target-cpu <host>` (Package.swift) so `addProduct` becomes a vector FMA.

/// `C = A · op(B) (+ bias)` for row-major Float32 matrices.
public enum GEMM {
    /// Micro-tile rows (A panel height).
    static let mr = 8
    /// Micro-tile columns (B panel width): three `SIMD16<Float>`.
    static let nr = 48
    /// Rows of A packed per cache block.
    static let mc = 192
    /// Depth of one packed slice.
    static let kc = 768

    /// How B is stored.
    public enum BLayout: Sendable {
        /// B is `[n, k]` (row `j` holds column `j` of op(B)): PyTorch `Linear` weights `[out, in]`,
        /// attention keys `[keys, d]`. Computes `A · Bᵀ`.
        case transposed
        /// B is `[k, n]`: attention values `[keys, d]` in `P · V`. Computes `A · B`.
        case normal
    }

    /// `C[m, n] = A[m, k] · op(B) + bias[n]` (or `C += A · op(B)` when `accumulate`).
    ///
    /// - Parameters:
    ///   - a: `[m, k]` with row stride `lda`.
    ///   - b: `[n, k]` (`.transposed`) or `[k, n]` (`.normal`) with row stride `ldb`.
    ///   - c: `[m, n]` with row stride `ldc`.
    ///   - bias: `[n]`, added to every row (ignored when `accumulate`).
    ///   - parallel: split the work over ``Parallel/threadCount`` threads (set false inside an
    ///     already parallel loop).
    public static func multiply(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, layout: BLayout,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: UnsafePointer<Float>? = nil, accumulate: Bool = false, parallel: Bool = true
    ) {
        guard m > 0, n > 0 else { return }
        if k == 0 {
            if !accumulate {
                for i in 0..<m {
                    for j in 0..<n { c[i * ldc + j] = bias?[j] ?? 0 }
                }
            }
            return
        }
        // Column chunks bound the packed copy of B (the MLM decoder's B is [50265, 768]).
        var j0 = 0
        while j0 < n {
            let nb = min(nc, n - j0)
            multiplyColumns(m: m, n: nb, k: k, a: a, lda: lda,
                            b: layout == .transposed ? b + j0 * ldb : b + j0, ldb: ldb, layout: layout,
                            c: c + j0, ldc: ldc, bias: bias.map { $0 + j0 }, accumulate: accumulate, parallel: parallel)
            j0 += nb
        }
    }

    /// Columns of C handled per packed copy of B (84 panels of 48).
    static let nc = 4032

    static func multiplyColumns(
        m: Int, n: Int, k: Int,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int, layout: BLayout,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        bias: UnsafePointer<Float>?, accumulate: Bool, parallel: Bool
    ) {
        let panels = (n + nr - 1) / nr
        let depth = min(k, kc)
        let packedB = UnsafeMutablePointer<Float>.allocate(capacity: panels * depth * nr)
        defer { packedB.deallocate() }
        let mBlocks = (m + mc - 1) / mc
        let threads = parallel ? Parallel.threadCount : 1
        // Work units: (m block, range of B panels). Split the panels when there are too few m blocks.
        let panelChunks = threads > 1 && mBlocks < 2 * threads ? min(panels, (2 * threads + mBlocks - 1) / mBlocks) : 1
        let panelsPerChunk = (panels + panelChunks - 1) / panelChunks
        let units = mBlocks * panelChunks

        var p0 = 0
        while p0 < k {
            let kb = min(kc, k - p0)
            let first = p0 == 0
            // Pack this slice of B, panel by panel (in parallel).
            let packB: (Int) -> Void = { panel in
                packPanelB(b: b, ldb: ldb, layout: layout, n: n, p0: p0, kb: kb, panel: panel,
                           into: packedB + panel * kb * nr)
            }
            if parallel && panels > 1 { Parallel.forEach(panels, packB) } else { for j in 0..<panels { packB(j) } }

            let work: (Int) -> Void = { unit in
                let mBlock = unit / panelChunks
                let chunk = unit % panelChunks
                let i0 = mBlock * mc
                let mb = min(mc, m - i0)
                let aPanels = (mb + mr - 1) / mr
                let jStart = chunk * panelsPerChunk
                let jEnd = min(panels, jStart + panelsPerChunk)
                if jStart >= jEnd { return }
                let packedA = UnsafeMutablePointer<Float>.allocate(capacity: aPanels * kb * mr)
                defer { packedA.deallocate() }
                for ip in 0..<aPanels {
                    packPanelA(a: a, lda: lda, rows: min(mr, mb - ip * mr), i0: i0 + ip * mr, p0: p0, kb: kb,
                               into: packedA + ip * kb * mr)
                }
                for jp in jStart..<jEnd {
                    let col = jp * nr
                    let cols = min(nr, n - col)
                    let bPanel = UnsafePointer(packedB + jp * kb * nr)
                    for ip in 0..<aPanels {
                        let row = i0 + ip * mr
                        let rows = min(mr, m - row)
                        let overwrite = first && !accumulate
                        if cols <= 16 {
                            narrowKernel(kb: kb, a: UnsafePointer(packedA + ip * kb * mr), b: bPanel,
                                         c: c + row * ldc + col, ldc: ldc, rows: rows, cols: cols,
                                         overwrite: overwrite, bias: overwrite ? bias.map { $0 + col } : nil)
                        } else {
                            microKernel(kb: kb, a: UnsafePointer(packedA + ip * kb * mr), b: bPanel,
                                        c: c + row * ldc + col, ldc: ldc, rows: rows, cols: cols,
                                        overwrite: overwrite, bias: overwrite ? bias.map { $0 + col } : nil)
                        }
                    }
                }
            }
            if parallel && units > 1 { Parallel.forEach(units, work) } else { for u in 0..<units { work(u) } }
            p0 += kb
        }
    }

    // MARK: - Packing

    /// Packs `kb` rows of depth starting at `p0` for B columns `panel*48 ..< panel*48+48` as
    /// `[kb][48]`, zero-filling columns beyond `n`.
    @inline(__always)
    static func packPanelB(b: UnsafePointer<Float>, ldb: Int, layout: BLayout, n: Int, p0: Int, kb: Int,
                           panel: Int, into dst: UnsafeMutablePointer<Float>) {
        let col0 = panel * nr
        let cols = min(nr, n - col0)
        switch layout {
        case .normal:
            for p in 0..<kb {
                let src = b + (p0 + p) * ldb + col0
                let out = dst + p * nr
                if cols == nr {
                    out.update(from: src, count: nr)
                } else {
                    out.update(from: src, count: cols)
                    (out + cols).update(repeating: 0, count: nr - cols)
                }
            }
        case .transposed:
            if cols < nr {
                for p in 0..<kb { (dst + p * nr + cols).update(repeating: 0, count: nr - cols) }
            }
            for j in 0..<cols {
                let src = b + (col0 + j) * ldb + p0
                var out = dst + j
                for p in 0..<kb {
                    out.pointee = src[p]
                    out += nr
                }
            }
        }
    }

    /// Packs `rows` (<= 8) rows of A starting at row `i0`, depth `p0 ..< p0+kb`, as `[kb][8]`,
    /// zero-filling missing rows.
    @inline(__always)
    static func packPanelA(a: UnsafePointer<Float>, lda: Int, rows: Int, i0: Int, p0: Int, kb: Int,
                           into dst: UnsafeMutablePointer<Float>) {
        if rows < mr {
            dst.update(repeating: 0, count: kb * mr)
        }
        for r in 0..<rows {
            let src = a + (i0 + r) * lda + p0
            var out = dst + r
            for p in 0..<kb {
                out.pointee = src[p]
                out += mr
            }
        }
    }

    // MARK: - Micro-kernel

    /// `C[rows, cols] (+)= Apanel[kb][8] · Bpanel[kb][48]`; when `overwrite`, C is replaced by the
    /// product plus `bias` (if any), otherwise the product is added to C.
    @inline(__always)
    static func microKernel(kb: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                            c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int,
                            overwrite: Bool, bias: UnsafePointer<Float>?) {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c02 = V()
        var c10 = V(), c11 = V(), c12 = V()
        var c20 = V(), c21 = V(), c22 = V()
        var c30 = V(), c31 = V(), c32 = V()
        var c40 = V(), c41 = V(), c42 = V()
        var c50 = V(), c51 = V(), c52 = V()
        var c60 = V(), c61 = V(), c62 = V()
        var c70 = V(), c71 = V(), c72 = V()
        let braw = UnsafeRawPointer(b)
        var ap = a
        var off = 0
        for _ in 0..<kb {
            let b0 = braw.load(fromByteOffset: off, as: V.self)
            let b1 = braw.load(fromByteOffset: off &+ 64, as: V.self)
            let b2 = braw.load(fromByteOffset: off &+ 128, as: V.self)
            var s = V(repeating: ap[0])
            c00.addProduct(s, b0); c01.addProduct(s, b1); c02.addProduct(s, b2)
            s = V(repeating: ap[1])
            c10.addProduct(s, b0); c11.addProduct(s, b1); c12.addProduct(s, b2)
            s = V(repeating: ap[2])
            c20.addProduct(s, b0); c21.addProduct(s, b1); c22.addProduct(s, b2)
            s = V(repeating: ap[3])
            c30.addProduct(s, b0); c31.addProduct(s, b1); c32.addProduct(s, b2)
            s = V(repeating: ap[4])
            c40.addProduct(s, b0); c41.addProduct(s, b1); c42.addProduct(s, b2)
            s = V(repeating: ap[5])
            c50.addProduct(s, b0); c51.addProduct(s, b1); c52.addProduct(s, b2)
            s = V(repeating: ap[6])
            c60.addProduct(s, b0); c61.addProduct(s, b1); c62.addProduct(s, b2)
            s = V(repeating: ap[7])
            c70.addProduct(s, b0); c71.addProduct(s, b1); c72.addProduct(s, b2)
            ap += 8
            off &+= 192
        }
        var bias0 = V(), bias1 = V(), bias2 = V()
        if overwrite, let bias {
            if cols == nr {
                let r = UnsafeRawPointer(bias)
                bias0 = r.loadUnaligned(as: V.self)
                bias1 = r.loadUnaligned(fromByteOffset: 64, as: V.self)
                bias2 = r.loadUnaligned(fromByteOffset: 128, as: V.self)
            } else {
                for j in 0..<cols {
                    switch j / 16 {
                    case 0: bias0[j] = bias[j]
                    case 1: bias1[j - 16] = bias[j]
                    default: bias2[j - 32] = bias[j]
                    }
                }
            }
        }
        let fullWidth = cols == nr
        @inline(__always) func storeVector(_ p: UnsafeMutableRawPointer, _ x: V, _ b: V, lanes: Int) {
            if lanes >= 16 {
                p.storeBytes(of: overwrite ? x + b : p.loadUnaligned(as: V.self) + x, as: V.self)
            } else if lanes > 0 {
                let f = p.assumingMemoryBound(to: Float.self)
                for l in 0..<lanes { f[l] = overwrite ? x[l] + b[l] : f[l] + x[l] }
            }
        }
        @inline(__always) func store(_ row: Int, _ x0: V, _ x1: V, _ x2: V) {
            guard row < rows else { return }
            let p = UnsafeMutableRawPointer(c + row * ldc)
            if fullWidth {
                storeVector(p, x0, bias0, lanes: 16)
                storeVector(p + 64, x1, bias1, lanes: 16)
                storeVector(p + 128, x2, bias2, lanes: 16)
            } else {
                storeVector(p, x0, bias0, lanes: min(16, cols))
                storeVector(p + 64, x1, bias1, lanes: min(16, cols - 16))
                storeVector(p + 128, x2, bias2, lanes: min(16, cols - 32))
            }
        }
        store(0, c00, c01, c02); store(1, c10, c11, c12); store(2, c20, c21, c22); store(3, c30, c31, c32)
        store(4, c40, c41, c42); store(5, c50, c51, c52); store(6, c60, c61, c62); store(7, c70, c71, c72)
    }

    /// The 8x16 variant for panels with at most 16 valid columns (e.g. the last 16 of a head
    /// dimension of 64), so the edge does not pay for three vectors.
    @inline(__always)
    static func narrowKernel(kb: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int,
                             overwrite: Bool, bias: UnsafePointer<Float>?) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V()
        let braw = UnsafeRawPointer(b)
        var ap = a
        var off = 0
        for _ in 0..<kb {
            let b0 = braw.load(fromByteOffset: off, as: V.self)
            c0.addProduct(V(repeating: ap[0]), b0); c1.addProduct(V(repeating: ap[1]), b0)
            c2.addProduct(V(repeating: ap[2]), b0); c3.addProduct(V(repeating: ap[3]), b0)
            c4.addProduct(V(repeating: ap[4]), b0); c5.addProduct(V(repeating: ap[5]), b0)
            c6.addProduct(V(repeating: ap[6]), b0); c7.addProduct(V(repeating: ap[7]), b0)
            ap += 8
            off &+= 192
        }
        var bv = V()
        if overwrite, let bias { for j in 0..<cols { bv[j] = bias[j] } }
        @inline(__always) func store(_ row: Int, _ x: V) {
            guard row < rows else { return }
            let f = c + row * ldc
            if cols == 16 {
                let p = UnsafeMutableRawPointer(f)
                p.storeBytes(of: overwrite ? x + bv : p.loadUnaligned(as: V.self) + x, as: V.self)
            } else {
                for l in 0..<cols { f[l] = overwrite ? x[l] + bv[l] : f[l] + x[l] }
            }
        }
        store(0, c0); store(1, c1); store(2, c2); store(3, c3); store(4, c4); store(5, c5); store(6, c6); store(7, c7)
    }
}
