@testable import LSGRuntime
import Testing

/// The literal slice emulation against the closed forms of lsg-reference.md §7.5.
@Suite("Sparse windows")
struct SparseWindowTests {
    @Test("common case (step even, sbs > 3·step/4): sbs tokens before and after the local window",
          arguments: [(8, 8, 2), (128, 128, 2), (64, 64, 8), (16, 16, 4), (16, 8, 2), (8, 16, 2), (128, 96, 4)])
    func commonCase(_ c: (Int, Int, Int)) {
        let (bs, sbs, sf) = c
        let step = bs / sf
        let window = SparseWindow(step: step, sparseBlockSize: sbs, blockSize: bs, sparsityFactor: sf)
        for i in 0..<6 {
            let left = Array(((i - 1) * step - sbs)..<((i - 1) * step))
            let right = Array(((i + 2) * step)..<((i + 2) * step + sbs))
            #expect(window.positions(block: i) == left + right, "block \(i)")
        }
    }

    @Test("step 1 (sf == bs): the right window overlaps the local window")
    func stepOne() {
        let window = SparseWindow(step: 1, sparseBlockSize: 8, blockSize: 8, sparsityFactor: 8)
        for i in 0..<5 {
            #expect(window.positions(block: i) == Array((i - 1 - 8)..<(i - 1)) + Array(i..<(i + 8)))
        }
    }

    @Test("Python slice semantics")
    func pythonSlices() {
        #expect(SparseWindow.pythonSlice(length: 10, from: -3, to: -1) == [7, 8])
        #expect(SparseWindow.pythonSlice(length: 10, from: -3, to: 0) == [])
        #expect(SparseWindow.pythonSlice(length: 10, from: 8, to: 20) == [8, 9])
        #expect(SparseWindow.pythonSlice(length: 10, from: -20, to: 2) == [0, 1])
        #expect(SparseWindow.floorDiv(-3, 2) == -2)
    }
}
