// Which sparse tokens LSG block i sees: the reference's pad/unfold/slice, emulated literally.

/// The sparse-window rule of `LSGAttentionProduct.reshape_to_sparse_block` (lsg-reference.md §7.5).
///
/// The reference pads the sparse sequence by `pad` on both sides, unfolds windows of `size = 6·sbs`
/// with step `bs/sf`, and slices `[u−sbs, u)` (left) and `[−u₂, −u₂+sbs)` (right) out of each window
/// with Python slice semantics. In the common case (step even, sbs > 3·step/4) this is the sbs sparse
/// tokens just before and just after the 3-block local window; for step 1 the right window overlaps
/// the local window, and for small sbs parts of it vanish. Emulating the slices reproduces all of it.
struct SparseWindow {
    let step: Int
    let sparseBlockSize: Int
    let blockSize: Int
    let sparsityFactor: Int

    /// Sparse positions (possibly out of range, which the reference fills with zero keys and MIN
    /// masks) seen by block `i`, left window first.
    func positions(block i: Int) -> [Int] {
        let odd = step % 2
        let size = 6 * sparseBlockSize
        let pad = Self.floorDiv(size - step, 2) + odd
        let u = Self.floorDiv(size - (3 * blockSize) / sparsityFactor, 2) + odd
        let u2 = u + odd
        let start = i * step - pad
        let left = Self.pythonSlice(length: size, from: u - sparseBlockSize, to: u)
        let right = Self.pythonSlice(length: size, from: -u2, to: -u2 + sparseBlockSize)
        return (left + right).map { start + $0 }
    }

    /// Indices selected by Python's `x[from:to]` on a sequence of `length` (negative indices count
    /// from the end; bounds are clamped; an empty range when from >= to).
    static func pythonSlice(length: Int, from: Int, to: Int) -> [Int] {
        func normalise(_ i: Int) -> Int {
            if i < 0 { return max(0, i + length) }
            return min(i, length)
        }
        let a = normalise(from), b = normalise(to)
        return a < b ? Array(a..<b) : []
    }

    static func floorDiv(_ a: Int, _ b: Int) -> Int {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
