import Testing
@testable import LSGVerification

/// The SIMD finiteness scan of check 2 against `Float.isFinite`, element by element.
@Suite struct NonFiniteScanTests {
    @Test("counts NaN and ±inf exactly, at every tail length", arguments: [0, 1, 15, 16, 63, 64, 65, 127, 1000, 4099])
    func matchesIsFinite(count: Int) {
        var generator = SystemRandomNumberGenerator()
        let specials: [Float] = [.nan, .infinity, -.infinity, -.nan, .signalingNaN, .greatestFiniteMagnitude,
                                 -.greatestFiniteMagnitude, .leastNonzeroMagnitude, 0, -0]
        let values: [Float] = (0..<count).map { i in
            i % 7 == 3 ? specials[Int.random(in: 0..<specials.count, using: &generator)] : Float.random(in: -1e30...1e30, using: &generator)
        }
        let words = values.map(\.bitPattern)
        let expected = values.filter { !$0.isFinite }.count
        let counted = words.withUnsafeBufferPointer { TensorComparison.nonFiniteWords($0.baseAddress ?? UnsafePointer(bitPattern: 16)!, count: count) }
        #expect(counted == expected)
    }
}
