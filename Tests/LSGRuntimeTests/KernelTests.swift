import Foundation
@testable import LSGRuntime
import Testing

@Suite("Kernels")
struct KernelTests {
    /// Deterministic pseudo-random values in [-1, 1).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2_000_000) / 1_000_000 - 1
        }
    }

    @Test("GEMM equals a double-precision triple loop", arguments: [
        (1, 1, 1), (7, 5, 3), (8, 48, 16), (9, 49, 17), (200, 100, 37), (193, 97, 800), (33, 4100, 20),
        // m <= 32: the few-rows dot-product path (row and column tails, k with a scalar tail)
        (5, 77, 70), (32, 131, 771), (17, 200, 768),
    ])
    func gemmMatchesNaive(_ shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let a = Self.values(m * k, seed: 1), bT = Self.values(n * k, seed: 2), bias = Self.values(n, seed: 3)
        var bN = [Float](repeating: 0, count: k * n)  // the same B stored [k, n]
        for j in 0..<n { for p in 0..<k { bN[p * n + j] = bT[j * k + p] } }
        for layout in [GEMM.BLayout.transposed, .normal] {
            var c = [Float](repeating: 0, count: m * n)
            let b = layout == .transposed ? bT : bN
            GEMM.multiply(m: m, n: n, k: k, a: a, lda: k, b: b, ldb: layout == .transposed ? k : n, layout: layout,
                          c: &c, ldc: n, bias: bias)
            var worst: Double = 0
            for i in 0..<m {
                for j in 0..<n {
                    var s = Double(bias[j])
                    for p in 0..<k { s += Double(a[i * k + p]) * Double(bT[j * k + p]) }
                    worst = max(worst, abs(s - Double(c[i * n + j])))
                }
            }
            #expect(worst < 1e-4 * Double(max(1, k)).squareRoot(), "\(layout) \(shape): \(worst)")
        }
    }

    @Test("GEMM accumulate adds to C and ignores the bias")
    func gemmAccumulates() {
        let a: [Float] = [1, 2, 3, 4]      // [2, 2]
        let b: [Float] = [1, 0, 0, 1, 1, 1] // [3, 2] transposed layout
        var c: [Float] = [10, 20, 30, 40, 50, 60]
        GEMM.multiply(m: 2, n: 3, k: 2, a: a, lda: 2, b: b, ldb: 2, layout: .transposed, c: &c, ldc: 3,
                      bias: [100, 100, 100], accumulate: true)
        #expect(c == [11, 22, 33, 43, 54, 67])
    }

    /// Eigen's rational erf in float32 arithmetic: 1e-7 near 0, 4.2e-7 (~7 ulp of 1) near |x| = 3.3; the
    /// effect on GELU is below 1e-6 absolute, far inside the 1e-4 budget against the reference.
    @Test("vector erf is within 5e-7 of libm erf on [-6, 6]")
    func erfAccuracy() {
        var worst: Double = 0
        for i in -60000...60000 {
            let x = Float(i) / 10000
            worst = max(worst, abs(Double(VectorMath.erfScalar(x)) - Foundation.erf(Double(x))))
        }
        #expect(worst < 5e-7, "max abs error \(worst)")
    }

    @Test("vector exp is within 2 ulp-ish relative of libm exp")
    func expAccuracy() {
        var worst: Double = 0
        for i in -8700...8800 {
            let x = Float(i) / 100
            let want = Foundation.exp(Double(x))
            worst = max(worst, abs(Double(VectorMath.expScalar(x)) - want) / want)
        }
        #expect(worst < 3e-7, "max relative error \(worst)")
        #expect(VectorMath.expScalar(-100) == 0)
        #expect(VectorMath.expScalar(-Float.greatestFiniteMagnitude) == 0)
    }

    @Test("GELU uses the exact erf form: gelu(1) = 0.8413447, gelu(-2) = -0.0455003")
    func geluValues() {
        var x: [Float] = [1, -2, 0, 3] + [Float](repeating: 1, count: 16)
        VectorMath.geluInPlace(&x, count: x.count)
        #expect(abs(x[0] - 0.8413447) < 1e-6)
        #expect(abs(x[1] - -0.04550026) < 1e-6)
        #expect(x[2] == 0)
        #expect(abs(x[3] - 2.9959502) < 1e-6)
        #expect(abs(x[19] - 0.8413447) < 1e-6)
    }

    @Test("softmax of [0, ln 2, ln 3] ... with a MIN-masked entry")
    func softmaxValues() {
        var x: [Float] = [0, Float(Foundation.log(2.0)), Float(Foundation.log(3.0)), -Float.greatestFiniteMagnitude]
        VectorMath.softmaxInPlace(&x, count: 4)
        #expect(abs(x[0] - 1.0 / 6) < 1e-7 && abs(x[1] - 2.0 / 6) < 1e-7 && abs(x[2] - 3.0 / 6) < 1e-7)
        #expect(x[3] == 0)
        var long = [Float](repeating: 5, count: 37)
        VectorMath.softmaxInPlace(&long, count: 37)
        #expect(long.allSatisfy { abs($0 - 1.0 / 37) < 1e-7 })
    }

    @Test("LayerNorm of [1, 2, 3, 4] with weight 2, bias 1, eps 0")
    func layerNormValues() {
        var x: [Float] = [1, 2, 3, 4]
        let w: [Float] = [2, 2, 2, 2], b: [Float] = [1, 1, 1, 1]
        VectorMath.layerNormInPlace(&x, count: 4, weight: w, bias: b, eps: 0)
        // mean 2.5, biased variance 1.25
        let s = Float(1 / 1.25.squareRoot())
        let want: [Float] = [-1.5 * s * 2 + 1, -0.5 * s * 2 + 1, 0.5 * s * 2 + 1, 1.5 * s * 2 + 1]
        for i in 0..<4 { #expect(abs(x[i] - want[i]) < 1e-6) }
    }
}
