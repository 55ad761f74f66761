// Vectorised elementwise kernels: exp (softmax), erf (exact GELU), LayerNorm, bias/residual adds.
import Foundation

/// Elementwise and row-wise Float32 kernels on `SIMD16<Float>`.
public enum VectorMath {
    typealias V = SIMD16<Float>

    // MARK: - lane helpers
    // `pointwiseMin/Max`, `clamped` and `.max()` on SIMD16<Float> are lowered lane by lane (NaN-aware
    // scalar compares, seen in perf); compare-and-blend compiles to vcmpps + vblendmps.

    @inline(__always)
    static func maximum(_ a: V, _ b: V) -> V { a.replacing(with: b, where: b .> a) }

    @inline(__always)
    static func clamp(_ x: V, _ lo: Float, _ hi: Float) -> V {
        let low = V(repeating: lo), high = V(repeating: hi)
        return x.replacing(with: low, where: x .< low).replacing(with: high, where: x .> high)
    }

    @inline(__always)
    static func horizontalMax(_ v: V) -> Float {
        var m = v[0]
        for i in 1..<16 where v[i] > m { m = v[i] }
        return m
    }

    // MARK: - exp

    /// `e^x` per lane, Cephes `expf` scheme: `x = n·ln2 + r`, a degree-6 polynomial in `r`, scaled by
    /// `2^n` through the exponent bits. Relative error ~1 ulp on [-87.3, 88]; returns 0 below
    /// -87.33 (where float32 `exp` becomes subnormal; softmax weights that small do not matter).
    @inline(__always)
    static func exp(_ xIn: V) -> V {
        let x = clamp(xIn, -87.33654, 88.0)
        // n = round(x / ln 2) with the 1.5·2^23 trick: adding it leaves n in the low mantissa bits, so
        // neither a rounding call nor a float→int conversion is needed (both scalarise in Swift).
        let magic = V(repeating: 12582912)
        let shifted = x * 1.44269504088896341 + magic
        let fx = shifted - magic
        var r = x - fx * 0.693359375
        r = r - fx * -2.12194440e-4
        let z = r * r
        var y = V(repeating: 1.9875691500e-4)
        y = y * r + 1.3981999507e-3
        y = y * r + 8.3334519073e-3
        y = y * r + 4.1665795894e-2
        y = y * r + 1.6666665459e-1
        y = y * r + 5.0000001201e-1
        y = y * z + r + 1
        // 2^n: the low bits of `shifted` are 0x400000 + n; move n + 127 into the exponent field.
        let n = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((n &+ 127) &<< 23, to: V.self)
        let result = y * scale
        return result.replacing(with: 0, where: xIn .< -87.33654)
    }

    // MARK: - erf and GELU

    /// `erf(x)` per lane: the rational approximation of Eigen's `generic_fast_erf_float`
    /// (odd degree-13 numerator over even degree-8 denominator on x clamped to [-4, 4]). Absolute
    /// error in float32 arithmetic: 1e-7 for |x| < 0.5, at most 4.2e-7 (near |x| = 3.3), checked against
    /// Foundation's double `erf` in the tests.
    @inline(__always)
    static func erf(_ xIn: V) -> V {
        let x = clamp(xIn, -4, 4)
        let x2 = x * x
        var p = x2 * -2.72614225801306e-10 + 2.77068142495902e-08
        p = x2 * p + -2.10102402082508e-06
        p = x2 * p + -5.69250639462346e-05
        p = x2 * p + -7.34990630326855e-04
        p = x2 * p + -2.95459980854025e-03
        p = x2 * p + -1.60960333262415e-02
        p = x * p
        var q = x2 * -1.45660718464996e-05 + -2.13374055278905e-04
        q = x2 * q + -1.68282697438203e-03
        q = x2 * q + -7.37332916720468e-03
        q = x2 * q + -1.42647390514189e-02
        return p / q
    }

    /// Exact (erf) GELU in place: `x · 0.5 · (1 + erf(x / √2))`, as `nn.GELU()` / HF `"gelu"`.
    public static func geluInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(x)
        var i = 0
        while i + 16 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            let g = v * 0.5 * (1 + erf(v * 0.70710678118654752))
            raw.storeBytes(of: g, toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < count {
            let v = x[i]
            x[i] = v * 0.5 * (1 + Float(Foundation.erf(Double(v) * 0.70710678118654752)))
            i += 1
        }
    }

    /// Scalar `erf` through the vector path (for tests).
    public static func erfScalar(_ x: Float) -> Float { erf(V(repeating: x))[0] }

    /// Scalar `exp` through the vector path (for tests).
    public static func expScalar(_ x: Float) -> Float { exp(V(repeating: x))[0] }

    // MARK: - softmax

    /// Row softmax in place over `count` values: `exp(x - max) / Σ`.
    public static func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
        guard count > 0 else { return }
        let sum = expShiftedInPlace(x, count: count, scale: 1)
        scaleInPlace(x, count: count, by: 1 / sum)
    }

    /// Unnormalised scaled softmax of one row in place: `x[j] = exp((x[j] - max x) · scale)`; returns
    /// the sum (the caller divides the product by it). For attention rows, `scale = 1/√d`.
    ///
    /// The exp is written out in the loop: called as a function, Swift passes `SIMD16<Float>` in four
    /// xmm registers and the body ran on 128-bit vectors (seen in perf), 4x slower.
    public static func expShiftedInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, scale: Float) -> Float {
        guard count > 0 else { return 0 }
        let raw = UnsafeMutableRawPointer(x)
        var maxV = V(repeating: -.infinity)
        var i = 0
        while i + 16 <= count {
            maxV = maximum(maxV, raw.loadUnaligned(fromByteOffset: i * 4, as: V.self))
            i += 16
        }
        var m = horizontalMax(maxV)
        while i < count { m = Swift.max(m, x[i]); i += 1 }
        let mv = V(repeating: m), sv = V(repeating: scale)
        let low = V(repeating: -87.33654), magic = V(repeating: 12582912)
        var sumV = V()
        i = 0
        // Full vectors, then the tail padded with -inf (exp -> 0).
        while i < count {
            let lanes = min(16, count - i)
            var t: V
            if lanes == 16 {
                t = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            } else {
                t = V(repeating: -.infinity)
                for j in 0..<lanes { t[j] = x[i + j] }
            }
            let z0 = (t - mv) * sv
            let xc = z0.replacing(with: low, where: z0 .< low)
            let shifted = xc * 1.44269504088896341 + magic
            let fx = shifted - magic
            var r = xc - fx * 0.693359375
            r = r - fx * -2.12194440e-4
            let r2 = r * r
            var y = V(repeating: 1.9875691500e-4)
            y = y * r + 1.3981999507e-3
            y = y * r + 8.3334519073e-3
            y = y * r + 4.1665795894e-2
            y = y * r + 1.6666665459e-1
            y = y * r + 5.0000001201e-1
            y = y * r2 + r + 1
            let n = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
            let e = (y * unsafeBitCast((n &+ 127) &<< 23, to: V.self)).replacing(with: 0, where: z0 .< low)
            sumV += e
            if lanes == 16 {
                raw.storeBytes(of: e, toByteOffset: i * 4, as: V.self)
            } else {
                for j in 0..<lanes { x[i + j] = e[j] }
            }
            i += 16
        }
        return sumV.sum()
    }

    /// `x *= s` over `count` values.
    public static func scaleInPlace(_ x: UnsafeMutablePointer<Float>, count: Int, by s: Float) {
        let raw = UnsafeMutableRawPointer(x)
        var i = 0
        while i + 16 <= count {
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) * s, toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < count { x[i] *= s; i += 1 }
    }

    // MARK: - LayerNorm

    /// LayerNorm of one row in place: `(x - mean) / sqrt(var + eps) * weight + bias` (biased variance,
    /// as `nn.LayerNorm`). When `residual` is given, normalises `x + residual`.
    public static func layerNormInPlace(_ x: UnsafeMutablePointer<Float>, count n: Int,
                                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, eps: Float,
                                        residual: UnsafePointer<Float>? = nil) {
        if let residual {
            addInPlace(x, residual, count: n)
        }
        let raw = UnsafeMutableRawPointer(x)
        var sumV = V()
        var i = 0
        while i + 16 <= n { sumV += raw.loadUnaligned(fromByteOffset: i * 4, as: V.self); i += 16 }
        var sum = sumV.sum()
        while i < n { sum += x[i]; i += 1 }
        let mean = sum / Float(n)
        let mv = V(repeating: mean)
        var varV = V()
        i = 0
        while i + 16 <= n {
            let d = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - mv
            varV += d * d
            i += 16
        }
        var variance = varV.sum()
        while i < n { let d = x[i] - mean; variance += d * d; i += 1 }
        variance /= Float(n)
        let rstd = 1 / (variance + eps).squareRoot()
        let rv = V(repeating: rstd)
        let wr = UnsafeRawPointer(weight), br = UnsafeRawPointer(bias)
        i = 0
        while i + 16 <= n {
            let v = (raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - mv) * rv
            let out = v * wr.loadUnaligned(fromByteOffset: i * 4, as: V.self) + br.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            raw.storeBytes(of: out, toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < n { x[i] = (x[i] - mean) * rstd * weight[i] + bias[i]; i += 1 }
    }

    /// `x += y` over `count` values.
    public static func addInPlace(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count: Int) {
        let raw = UnsafeMutableRawPointer(x), yr = UnsafeRawPointer(y)
        var i = 0
        while i + 16 <= count {
            raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) + yr.loadUnaligned(fromByteOffset: i * 4, as: V.self),
                           toByteOffset: i * 4, as: V.self)
            i += 16
        }
        while i < count { x[i] += y[i]; i += 1 }
    }

    /// Dot product of `count` values.
    @inline(__always)
    public static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, count: Int) -> Float {
        let xr = UnsafeRawPointer(x), yr = UnsafeRawPointer(y)
        var acc = V()
        var i = 0
        while i + 16 <= count {
            acc.addProduct(xr.loadUnaligned(fromByteOffset: i * 4, as: V.self), yr.loadUnaligned(fromByteOffset: i * 4, as: V.self))
            i += 16
        }
        var s = acc.sum()
        while i < count { s += x[i] * y[i]; i += 1 }
        return s
    }
}
