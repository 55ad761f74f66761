// Multi-head self-attention over projected Q, K, V: dense (RoBERTa, short LSG inputs) or LSG
// block-local + sparse + global (lsg-reference.md §7.3), computed block by block.

/// The attention part of one layer, after the Q/K/V projections.
struct SelfAttention {
    let batch: Int
    /// Rows per batch item: `G + t'` (LSG) or `t` (RoBERTa).
    let sequence: Int
    /// Global tokens at the front of every item (0 for RoBERTa).
    let globals: Int
    let heads: Int
    let headDim: Int
    /// Per item, whether each non-global token (0 ..< sequence - globals) is attendable.
    let live: [[Bool]]
    /// LSG settings (`nil`: plain dense attention).
    let lsg: LSGSettings?

    var hidden: Int { heads * headDim }
    var tokens: Int { sequence - globals }

    /// Whether the reference takes the dense fallback (`T <= 2·bs + G`, i.e. t' <= 2·bs).
    var isDense: Bool {
        guard let lsg else { return true }
        return sequence <= 2 * lsg.blockSize + globals
    }

    /// How many LSH projections one layer draws (0 when LSH does not run).
    var lshRounds: (count: Int, hashes: [Int]) {
        guard let s = lsg, !isDense, s.hasSparseKeys, s.sparsityType == .lsh,
              s.sparsityFactor != 1, s.sparsityFactor != s.sparseBlockSize else { return (0, []) }
        let c = min(s.blockSize, s.sparseBlockSize)
        return (s.lshNumPreRounds + 1, Array(repeating: c / 2, count: s.lshNumPreRounds) + [c / s.sparsityFactor / 2])
    }

    /// Rejects the configurations on which the reference's long path crashes (lsg-reference.md §7.5,
    /// §7.4): odd step > 1, chunk sizes that do not divide the block, LSH with fewer than 2 buckets.
    static func validateLongPath(_ s: LSGSettings) throws {
        guard s.hasSparseKeys else { return }
        let sf = s.sparsityFactor, bs = s.blockSize
        let step = bs / sf
        if step % 2 == 1 && step > 1 {
            throw RuntimeError.unsupported("block_size / sparsity_factor = \(step) is odd: the reference builds one sparse window too few and fails (lsg-reference.md §7.5)")
        }
        guard sf > 1, let type = s.sparsityType else { return }
        let c = min(bs, s.sparseBlockSize)
        if type == .norm || (type == .lsh && sf != s.sparseBlockSize) {
            if bs % c != 0 {
                throw RuntimeError.unsupported("\(type.rawValue): sparse_block_size \(s.sparseBlockSize) does not divide block_size \(bs); the reference cannot chunk the sequence")
            }
        }
        if type == .lsh && sf != s.sparseBlockSize && (c / sf < 2 || c < 2) {
            throw RuntimeError.unsupported("lsh: min(block_size, sparse_block_size) / sparsity_factor = \(c / sf) gives no hash buckets; the reference fails")
        }
    }

    /// `context [batch·sequence, hidden]` from `q, k, v` of the same shape.
    func callAsFunction(q: Matrix, k: Matrix, v: Matrix, projections: [[Float]]) -> Matrix {
        let context = Matrix(rows: batch * sequence, cols: hidden)
        let tasks = batch * heads
        let dense = isDense
        Parallel.forEach(tasks) { task in
            let item = task / heads, head = task % heads
            if dense {
                denseHead(item: item, head: head, q: q, k: k, v: v, out: context)
            } else {
                lsgHead(item: item, head: head, q: q, k: k, v: v, out: context, projections: projections)
            }
        }
        return context
    }

    @inline(__always)
    private func rowPointer(_ m: Matrix, item: Int, row: Int, head: Int) -> UnsafeMutablePointer<Float> {
        m.data + (item * sequence + row) * hidden + head * headDim
    }

    /// Whether non-global queries have the global keys masked (``LSGSettings/maskGlobalKeys``).
    private var masksGlobalKeys: Bool { globals > 0 && lsg?.maskGlobalKeys == true }

    /// Gathers every attendable key of the item from row `first` on (globals always; tokens when live).
    private func gatherAll(_ ws: AttentionWorkspace, item: Int, head: Int, k: Matrix, v: Matrix, from first: Int = 0) -> Bool {
        ws.reset(expected: sequence)
        let flags = live[item]
        for r in first..<sequence where r < globals || flags[r - globals] {
            ws.append(key: rowPointer(k, item: item, row: r, head: head), value: rowPointer(v, item: item, row: r, head: head))
        }
        if ws.count > 0 { return false }
        // No live key at all (a RoBERTa row with an all-zero attention mask): the reference's scores are
        // all MIN, so its softmax is uniform over every key.
        for r in first..<sequence {
            ws.append(key: rowPointer(k, item: item, row: r, head: head), value: rowPointer(v, item: item, row: r, head: head))
        }
        return true
    }

    private func denseHead(item: Int, head: Int, q: Matrix, k: Matrix, v: Matrix, out: Matrix) {
        let ws = AttentionWorkspace(headDim: headDim, capacity: sequence)
        var uniform = gatherAll(ws, item: item, head: head, k: k, v: v)
        // With maskGlobalKeys, the global queries attend to every key and the token queries to the
        // tokens only (the global keys masked like padding).
        let split = masksGlobalKeys ? globals : sequence
        ws.attend(queries: rowPointer(q, item: item, row: 0, head: head), queryStride: hidden, queryCount: split,
                  out: rowPointer(out, item: item, row: 0, head: head), outStride: hidden, uniform: uniform)
        guard split < sequence else { return }
        uniform = gatherAll(ws, item: item, head: head, k: k, v: v, from: globals)
        ws.attend(queries: rowPointer(q, item: item, row: split, head: head), queryStride: hidden, queryCount: sequence - split,
                  out: rowPointer(out, item: item, row: split, head: head), outStride: hidden, uniform: uniform)
    }

    private func lsgHead(item: Int, head: Int, q: Matrix, k: Matrix, v: Matrix, out: Matrix, projections: [[Float]]) {
        guard let s = lsg else { return }
        let bs = s.blockSize, sbs = s.sparseBlockSize
        let ws = AttentionWorkspace(headDim: headDim, capacity: max(sequence, globals + 2 * sbs + 3 * bs))
        // Global queries attend to every key (padding masked).
        _ = gatherAll(ws, item: item, head: head, k: k, v: v)
        ws.attend(queries: rowPointer(q, item: item, row: 0, head: head), queryStride: hidden, queryCount: globals,
                  out: rowPointer(out, item: item, row: 0, head: head), outStride: hidden)

        let flags = live[item]
        let sequenceView = HeadSequence(
            queries: rowPointer(q, item: item, row: globals, head: head),
            keys: rowPointer(k, item: item, row: globals, head: head),
            values: rowPointer(v, item: item, row: globals, head: head),
            stride: hidden, headDim: headDim, length: tokens, live: flags, head: head)
        let sparse = SparseSelection.select(sequenceView, settings: s, heads: heads, projections: projections)
        let window = SparseWindow(step: bs / max(s.sparsityFactor, 1), sparseBlockSize: sbs, blockSize: bs,
                                  sparsityFactor: max(s.sparsityFactor, 1))
        let blocks = tokens / bs
        for i in 0..<blocks {
            ws.reset(expected: globals + 2 * sbs + 3 * bs)
            for g in 0..<(masksGlobalKeys ? 0 : globals) {
                ws.append(key: rowPointer(k, item: item, row: g, head: head), value: rowPointer(v, item: item, row: g, head: head))
            }
            if let sparse {
                sparse.keys.withUnsafeBufferPointer { kb in
                    sparse.values.withUnsafeBufferPointer { vb in
                        for p in window.positions(block: i) where p >= 0 && p < sparse.count && sparse.live[p] {
                            ws.append(key: kb.baseAddress! + p * headDim, value: vb.baseAddress! + p * headDim)
                        }
                    }
                }
            }
            let lo = max(0, (i - 1) * bs), hi = min(tokens, (i + 2) * bs)
            for j in lo..<hi where flags[j] {
                ws.append(key: sequenceView.key(j), value: sequenceView.value(j))
            }
            ws.attend(queries: rowPointer(q, item: item, row: globals + i * bs, head: head), queryStride: hidden,
                      queryCount: bs, out: rowPointer(out, item: item, row: globals + i * bs, head: head), outStride: hidden)
        }
    }
}
