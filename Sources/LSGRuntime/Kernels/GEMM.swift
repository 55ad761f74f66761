// Register-blocked, cache-blocked single-precision matrix multiply in pure Swift (no BLAS).
//
// Layout follows the usual BLIS scheme (see ../shared/docs/design.md, "GEMM: pure Swift"): B is
// packed into 48-column panels and A into 8-row panels for one `kc`-deep slice at a time; an 8x48
// micro-kernel keeps 24 `SIMD16<Float>` accumulators in the AVX-512 registers. The module is built
// with `-target-cpu <host>` (Package.swift) so `addProduct` becomes a vector FMA.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `C = A · op(B) (+ bias)` for row-major Float32 matrices.
public enum GEMM {
    /// Micro-tile rows (A panel height).
    static let mr = 8
    /// Micro-tile columns (B panel width): three `SIMD16<Float>`.
    static let nr = 48
    /// Rows of A packed per cache block (`LSG_GEMM_MC` overrides, for tuning measurements).
    static let mc = tunable("LSG_GEMM_MC", default: 192, multipleOf: mr)
    /// Depth of one packed slice (`LSG_GEMM_KC` overrides, for tuning measurements).
    static let kc = tunable("LSG_GEMM_KC", default: 768, multipleOf: 1)

    /// A positive blocking size from the environment, else `value`.
    static func tunable(_ name: String, default value: Int, multipleOf unit: Int) -> Int {
        guard let text = getenv(name).map({ String(cString: $0) }), let n = Int(text), n > 0, n % unit == 0 else { return value }
        return n
    }

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
        if layout == .transposed, m <= fewRowsLimit {
            multiplyFewRows(m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc,
                            bias: bias, accumulate: accumulate, parallel: parallel)
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

    /// Up to this many rows of A, `A · Bᵀ` runs as dot products of A's rows with B's rows in place
    /// (``multiplyFewRows``): packing B costs a full copy of the weight for only a few uses of each
    /// element (a 16-token forward, fill-mask on a sentence, the conversion's quick check).
    static let fewRowsLimit = 32

    /// `C = A · Bᵀ (+ bias)` for few rows: B `[n, k]` rows are contiguous, so every output is a dot
    /// product of two contiguous vectors. 4 rows x 2 columns per step (8 `SIMD16` accumulators),
    /// columns split over the threads in blocks of 64 (B's rows are read once per 4 rows of A, from
    /// L2). Memory-bound on B, as a GEMV is.
    static func multiplyFewRows(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                b: UnsafePointer<Float>, ldb: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                bias: UnsafePointer<Float>?, accumulate: Bool, parallel: Bool) {
        let block = 64
        let blocks = (n + block - 1) / block
        let vectorDepth = k / 16 * 16
        @inline(__always) func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> {
            UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self)
        }
        let work: (Int) -> Void = { blockIndex in
            let j0 = blockIndex * block, j1 = min(n, j0 + block)
            var i = 0
            while i < m {
                // Rows past m repeat the last row (computed, never stored).
                let r0 = a + i * lda, r1 = a + min(i + 1, m - 1) * lda
                let r2 = a + min(i + 2, m - 1) * lda, r3 = a + min(i + 3, m - 1) * lda
                var j = j0
                while j < j1 {
                    let b0 = b + j * ldb, b1 = b + min(j + 1, j1 - 1) * ldb
                    var s00 = SIMD16<Float>(), s01 = SIMD16<Float>(), s10 = SIMD16<Float>(), s11 = SIMD16<Float>()
                    var s20 = SIMD16<Float>(), s21 = SIMD16<Float>(), s30 = SIMD16<Float>(), s31 = SIMD16<Float>()
                    var p = 0
                    while p < vectorDepth {
                        let v0 = load(b0 + p), v1 = load(b1 + p)
                        let x0 = load(r0 + p), x1 = load(r1 + p), x2 = load(r2 + p), x3 = load(r3 + p)
                        s00.addProduct(x0, v0); s01.addProduct(x0, v1)
                        s10.addProduct(x1, v0); s11.addProduct(x1, v1)
                        s20.addProduct(x2, v0); s21.addProduct(x2, v1)
                        s30.addProduct(x3, v0); s31.addProduct(x3, v1)
                        p += 16
                    }
                    var sums: (Float, Float, Float, Float, Float, Float, Float, Float) =
                        (s00.sum(), s01.sum(), s10.sum(), s11.sum(), s20.sum(), s21.sum(), s30.sum(), s31.sum())
                    while p < k {
                        let v0 = b0[p], v1 = b1[p]
                        sums.0 += r0[p] * v0; sums.1 += r0[p] * v1
                        sums.2 += r1[p] * v0; sums.3 += r1[p] * v1
                        sums.4 += r2[p] * v0; sums.5 += r2[p] * v1
                        sums.6 += r3[p] * v0; sums.7 += r3[p] * v1
                        p += 1
                    }
                    let rows = min(4, m - i), cols = min(2, j1 - j)
                    @inline(__always) func store(_ r: Int, _ q: Int, _ value: Float) {
                        guard r < rows, q < cols else { return }
                        let out = c + (i + r) * ldc + j + q
                        if accumulate { out.pointee += value } else { out.pointee = value + (bias?[j + q] ?? 0) }
                    }
                    store(0, 0, sums.0); store(0, 1, sums.1); store(1, 0, sums.2); store(1, 1, sums.3)
                    store(2, 0, sums.4); store(2, 1, sums.5); store(3, 0, sums.6); store(3, 1, sums.7)
                    j += 2
                }
                i += 4
            }
        }
        if parallel && blocks > 1 {
            Parallel.forEach(blocks, work)
        } else {
            for index in 0..<blocks { work(index) }
        }
    }

    /// Pack A into 8-row panels (true) or let the micro-kernel read A's rows in place (false).
    nonisolated(unsafe) public static var packA = true

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
        var p0 = 0
        while p0 < k {
            let kb = min(kc, k - p0)
            packSliceB(b: b, ldb: ldb, layout: layout, n: n, p0: p0, kb: kb, into: packedB, parallel: parallel)
            multiplySlice(m: m, n: n, kb: kb, p0: p0, a: a, lda: lda, packedB: packedB, c: c, ldc: ldc,
                          bias: bias, overwrite: p0 == 0 && !accumulate, parallel: parallel)
            p0 += kb
        }
    }

    /// Packs depth `p0 ..< p0+kb` of B's `n` columns as `ceil(n / 48)` panels of `[kb][48]` at `into`.
    static func packSliceB(b: UnsafePointer<Float>, ldb: Int, layout: BLayout, n: Int, p0: Int, kb: Int,
                           into packedB: UnsafeMutablePointer<Float>, parallel: Bool) {
        let panels = (n + nr - 1) / nr
        let packB: (Int) -> Void = { panel in
            packPanelB(b: b, ldb: ldb, layout: layout, n: n, p0: p0, kb: kb, panel: panel,
                       into: packedB + panel * kb * nr)
        }
        if parallel && panels > 1 { Parallel.forEach(panels, packB) } else { for j in 0..<panels { packB(j) } }
    }

    /// `C (+)= A[:, p0 ..< p0+kb] · Bslice` for one packed depth slice of B (``packSliceB``). With
    /// `overwrite`, C is replaced by the product plus `bias`; otherwise the product is added to C.
    static func multiplySlice(m: Int, n: Int, kb: Int, p0: Int, a: UnsafePointer<Float>, lda: Int,
                              packedB: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                              bias: UnsafePointer<Float>?, overwrite: Bool, parallel: Bool) {
        let panels = (n + nr - 1) / nr
        let mBlocks = (m + mc - 1) / mc
        let threads = parallel ? Parallel.threadCount : 1
        // Work units: (m block, range of B panels). Split the panels when there are too few m blocks.
        let panelChunks = threads > 1 && mBlocks < 2 * threads ? min(panels, (2 * threads + mBlocks - 1) / mBlocks) : 1
        let panelsPerChunk = (panels + panelChunks - 1) / panelChunks
        let units = mBlocks * panelChunks
        let work: (Int) -> Void = { unit in
            let mBlock = unit / panelChunks
            let chunk = unit % panelChunks
            let i0 = mBlock * mc
            let mb = min(mc, m - i0)
            let aPanels = (mb + mr - 1) / mr
            let jStart = chunk * panelsPerChunk
            let jEnd = min(panels, jStart + panelsPerChunk)
            if jStart >= jEnd { return }
            // A is either packed per 8-row panel ([kb][8]) or read in place (8 row streams).
            let packedA: UnsafeMutablePointer<Float>? = packA ? .allocate(capacity: aPanels * kb * mr) : nil
            defer { packedA?.deallocate() }
            if let packedA {
                for ip in 0..<aPanels {
                    packPanelA(a: a, lda: lda, rows: min(mr, mb - ip * mr), i0: i0 + ip * mr, p0: p0, kb: kb,
                               into: packedA + ip * kb * mr)
                }
            }
            for jp in jStart..<jEnd {
                let col = jp * nr
                let cols = min(nr, n - col)
                let bPanel = packedB + jp * kb * nr
                for ip in 0..<aPanels {
                    let row = i0 + ip * mr
                    let rows = min(mr, m - row)
                    let panel = packedA.map { APanel(base: UnsafePointer($0 + ip * kb * mr), rowStride: 1, step: mr, rows: rows) }
                        ?? APanel(base: a + row * lda + p0, rowStride: lda, step: 1, rows: rows)
                    if cols <= 16 {
                        narrowKernel(kb: kb, a: panel, b: bPanel, c: c + row * ldc + col, ldc: ldc, rows: rows, cols: cols,
                                     overwrite: overwrite, bias: overwrite ? bias.map { $0 + col } : nil)
                    } else {
                        microKernel(kb: kb, a: panel, b: bPanel, c: c + row * ldc + col, ldc: ldc, rows: rows, cols: cols,
                                    overwrite: overwrite, bias: overwrite ? bias.map { $0 + col } : nil)
                    }
                }
            }
        }
        if parallel && units > 1 { Parallel.forEach(units, work) } else { for u in 0..<units { work(u) } }
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

    /// Up to 8 rows of A as the micro-kernel reads them: element (r, p) at `base[r * rowStride + p * step]`
    /// (packed panels: rowStride 1, step 8; rows in place: rowStride lda, step 1). Missing rows
    /// (r >= rows) alias the last valid row; their results are never stored.
    struct APanel {
        let base: UnsafePointer<Float>
        let rowStride: Int
        let step: Int
        let rows: Int

        @inline(__always)
        var rowPointers: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>,
                          UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) {
            @inline(__always) func row(_ r: Int) -> UnsafePointer<Float> { base + min(r, rows - 1) * rowStride }
            return (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
        }
    }

    /// `C[rows, cols] (+)= Apanel[kb][8] · Bpanel[kb][48]`; when `overwrite`, C is replaced by the
    /// product plus `bias` (if any), otherwise the product is added to C.
    @inline(__always)
    static func microKernel(kb: Int, a: APanel, b: UnsafePointer<Float>,
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
        let (a0, a1, a2, a3, a4, a5, a6, a7) = a.rowPointers
        let step = a.step
        var ai = 0
        var off = 0
        for _ in 0..<kb {
            let b0 = braw.load(fromByteOffset: off, as: V.self)
            let b1 = braw.load(fromByteOffset: off &+ 64, as: V.self)
            let b2 = braw.load(fromByteOffset: off &+ 128, as: V.self)
            var s = V(repeating: a0[ai])
            c00.addProduct(s, b0); c01.addProduct(s, b1); c02.addProduct(s, b2)
            s = V(repeating: a1[ai])
            c10.addProduct(s, b0); c11.addProduct(s, b1); c12.addProduct(s, b2)
            s = V(repeating: a2[ai])
            c20.addProduct(s, b0); c21.addProduct(s, b1); c22.addProduct(s, b2)
            s = V(repeating: a3[ai])
            c30.addProduct(s, b0); c31.addProduct(s, b1); c32.addProduct(s, b2)
            s = V(repeating: a4[ai])
            c40.addProduct(s, b0); c41.addProduct(s, b1); c42.addProduct(s, b2)
            s = V(repeating: a5[ai])
            c50.addProduct(s, b0); c51.addProduct(s, b1); c52.addProduct(s, b2)
            s = V(repeating: a6[ai])
            c60.addProduct(s, b0); c61.addProduct(s, b1); c62.addProduct(s, b2)
            s = V(repeating: a7[ai])
            c70.addProduct(s, b0); c71.addProduct(s, b1); c72.addProduct(s, b2)
            ai &+= step
            off &+= 192
        }
        if rows == mr && cols == nr {
            if overwrite, let bias {
                let r = UnsafeRawPointer(bias)
                let b0 = r.loadUnaligned(as: V.self)
                let b1 = r.loadUnaligned(fromByteOffset: 64, as: V.self)
                let b2 = r.loadUnaligned(fromByteOffset: 128, as: V.self)
                put(c + 0 * ldc, c00 + b0, c01 + b1, c02 + b2)
                put(c + 1 * ldc, c10 + b0, c11 + b1, c12 + b2)
                put(c + 2 * ldc, c20 + b0, c21 + b1, c22 + b2)
                put(c + 3 * ldc, c30 + b0, c31 + b1, c32 + b2)
                put(c + 4 * ldc, c40 + b0, c41 + b1, c42 + b2)
                put(c + 5 * ldc, c50 + b0, c51 + b1, c52 + b2)
                put(c + 6 * ldc, c60 + b0, c61 + b1, c62 + b2)
                put(c + 7 * ldc, c70 + b0, c71 + b1, c72 + b2)
            } else if overwrite {
                put(c + 0 * ldc, c00, c01, c02)
                put(c + 1 * ldc, c10, c11, c12)
                put(c + 2 * ldc, c20, c21, c22)
                put(c + 3 * ldc, c30, c31, c32)
                put(c + 4 * ldc, c40, c41, c42)
                put(c + 5 * ldc, c50, c51, c52)
                put(c + 6 * ldc, c60, c61, c62)
                put(c + 7 * ldc, c70, c71, c72)
            } else {
                add(c + 0 * ldc, c00, c01, c02)
                add(c + 1 * ldc, c10, c11, c12)
                add(c + 2 * ldc, c20, c21, c22)
                add(c + 3 * ldc, c30, c31, c32)
                add(c + 4 * ldc, c40, c41, c42)
                add(c + 5 * ldc, c50, c51, c52)
                add(c + 6 * ldc, c60, c61, c62)
                add(c + 7 * ldc, c70, c71, c72)
            }
            return
        }
        // Edge tile: spill the accumulators and copy the valid part.
        withUnsafeTemporaryAllocation(of: V.self, capacity: 24) { t in
            t[0] = c00
            t[1] = c01
            t[2] = c02
            t[3] = c10
            t[4] = c11
            t[5] = c12
            t[6] = c20
            t[7] = c21
            t[8] = c22
            t[9] = c30
            t[10] = c31
            t[11] = c32
            t[12] = c40
            t[13] = c41
            t[14] = c42
            t[15] = c50
            t[16] = c51
            t[17] = c52
            t[18] = c60
            t[19] = c61
            t[20] = c62
            t[21] = c70
            t[22] = c71
            t[23] = c72
            storePartial(UnsafeRawPointer(t.baseAddress!).assumingMemoryBound(to: Float.self), width: nr,
                         c: c, ldc: ldc, rows: rows, cols: cols, overwrite: overwrite, bias: bias)
        }
    }

    /// `C[r][j] (+)= tile[r * width + j]` for the valid rows/columns of an edge tile.
    @inline(never)
    static func storePartial(_ tile: UnsafePointer<Float>, width: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                             rows: Int, cols: Int, overwrite: Bool, bias: UnsafePointer<Float>?) {
        for r in 0..<rows {
            let dst = c + r * ldc
            let src = tile + r * width
            if overwrite {
                for j in 0..<cols { dst[j] = src[j] + (bias?[j] ?? 0) }
            } else {
                for j in 0..<cols { dst[j] += src[j] }
            }
        }
    }

    @inline(__always)
    static func single(_ p: UnsafeMutablePointer<Float>, _ x: SIMD16<Float>, accumulate: Bool) {
        let r = UnsafeMutableRawPointer(p)
        r.storeBytes(of: accumulate ? r.loadUnaligned(as: SIMD16<Float>.self) + x : x, as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func put(_ p: UnsafeMutablePointer<Float>, _ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ x2: SIMD16<Float>) {
        let r = UnsafeMutableRawPointer(p)
        r.storeBytes(of: x0, as: SIMD16<Float>.self)
        (r + 64).storeBytes(of: x1, as: SIMD16<Float>.self)
        (r + 128).storeBytes(of: x2, as: SIMD16<Float>.self)
    }

    @inline(__always)
    static func add(_ p: UnsafeMutablePointer<Float>, _ x0: SIMD16<Float>, _ x1: SIMD16<Float>, _ x2: SIMD16<Float>) {
        let r = UnsafeMutableRawPointer(p)
        r.storeBytes(of: r.loadUnaligned(as: SIMD16<Float>.self) + x0, as: SIMD16<Float>.self)
        (r + 64).storeBytes(of: (r + 64).loadUnaligned(as: SIMD16<Float>.self) + x1, as: SIMD16<Float>.self)
        (r + 128).storeBytes(of: (r + 128).loadUnaligned(as: SIMD16<Float>.self) + x2, as: SIMD16<Float>.self)
    }

    /// The 8x16 variant for panels with at most 16 valid columns (e.g. the last 16 of a head
    /// dimension of 64), so the edge does not pay for three vectors.
    @inline(__always)
    static func narrowKernel(kb: Int, a: APanel, b: UnsafePointer<Float>,
                             c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, cols: Int,
                             overwrite: Bool, bias: UnsafePointer<Float>?) {
        typealias V = SIMD16<Float>
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V(), c6 = V(), c7 = V()
        let braw = UnsafeRawPointer(b)
        let (a0, a1, a2, a3, a4, a5, a6, a7) = a.rowPointers
        let step = a.step
        var ai = 0
        var off = 0
        for _ in 0..<kb {
            let b0 = braw.load(fromByteOffset: off, as: V.self)
            c0.addProduct(V(repeating: a0[ai]), b0); c1.addProduct(V(repeating: a1[ai]), b0)
            c2.addProduct(V(repeating: a2[ai]), b0); c3.addProduct(V(repeating: a3[ai]), b0)
            c4.addProduct(V(repeating: a4[ai]), b0); c5.addProduct(V(repeating: a5[ai]), b0)
            c6.addProduct(V(repeating: a6[ai]), b0); c7.addProduct(V(repeating: a7[ai]), b0)
            ai &+= step
            off &+= 192
        }
        if rows == mr && cols == 16 && (!overwrite || bias == nil) {
            single(c + 0 * ldc, c0, accumulate: !overwrite)
            single(c + 1 * ldc, c1, accumulate: !overwrite)
            single(c + 2 * ldc, c2, accumulate: !overwrite)
            single(c + 3 * ldc, c3, accumulate: !overwrite)
            single(c + 4 * ldc, c4, accumulate: !overwrite)
            single(c + 5 * ldc, c5, accumulate: !overwrite)
            single(c + 6 * ldc, c6, accumulate: !overwrite)
            single(c + 7 * ldc, c7, accumulate: !overwrite)
            return
        }
        withUnsafeTemporaryAllocation(of: V.self, capacity: 8) { t in
            t[0] = c0
            t[1] = c1
            t[2] = c2
            t[3] = c3
            t[4] = c4
            t[5] = c5
            t[6] = c6
            t[7] = c7
            storePartial(UnsafeRawPointer(t.baseAddress!).assumingMemoryBound(to: Float.self), width: 16,
                         c: c, ldc: ldc, rows: rows, cols: cols, overwrite: overwrite, bias: bias)
        }
    }

    // MARK: - Prepacked B (attention)

    /// `C[m, n] = A[m, k] · B` where B was packed by the caller into 48-column panels `[k][48]`
    /// (`ceil(n/48)` panels, `k * 48` floats each, columns beyond n zero). Single-threaded; for the
    /// attention products, whose keys/values are gathered straight into this layout.
    static func multiplyPrepacked(m: Int, n: Int, k: Int, a: UnsafePointer<Float>, lda: Int,
                                  packedB: UnsafePointer<Float>, panelStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard m > 0, n > 0 else { return }
        let panels = (n + nr - 1) / nr
        for jp in 0..<panels {
            let col = jp * nr
            let cols = min(nr, n - col)
            let bPanel = packedB + jp * panelStride
            var row = 0
            while row < m {
                let rows = min(mr, m - row)
                let panel = APanel(base: a + row * lda, rowStride: lda, step: 1, rows: rows)
                if k == 0 {
                    for r in 0..<rows { (c + (row + r) * ldc + col).update(repeating: 0, count: cols) }
                } else if cols <= 16 {
                    narrowKernel(kb: k, a: panel, b: bPanel, c: c + row * ldc + col, ldc: ldc, rows: rows, cols: cols,
                                 overwrite: true, bias: nil)
                } else {
                    microKernel(kb: k, a: panel, b: bPanel, c: c + row * ldc + col, ldc: ldc, rows: rows, cols: cols,
                                overwrite: true, bias: nil)
                }
                row += mr
            }
        }
    }
}
