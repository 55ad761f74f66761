import CheckpointIO
import Foundation
@testable import LSGRuntime
import Testing
import TestSupport

/// `infer`'s MLM decoder in row blocks over the mapped output file (issue 14): the packed-once
/// weight and the block-by-block populate/release must give exactly the bytes of one whole GEMM.
@Suite("Logits decoder")
struct LogitsDecoderTests {
    /// `C = A · Bᵀ + bias` by the ordinary GEMM, for comparison.
    static func expected(_ a: [Float], _ b: [Float], _ bias: [Float], m: Int, n: Int, k: Int) -> [Float] {
        var c = [Float](repeating: 0, count: m * n)
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                bias.withUnsafeBufferPointer { bias in
                    c.withUnsafeMutableBufferPointer { c in
                        GEMM.multiply(m: m, n: n, k: k, a: a.baseAddress!, lda: k, b: b.baseAddress!, ldb: k, layout: .transposed,
                                      c: c.baseAddress!, ldc: n, bias: bias.baseAddress!)
                    }
                }
            }
        }
        return c
    }

    @Test("a weight packed once multiplies bit-identically to GEMM.multiply", arguments: [(40, 53, 40), (33, 100, 800), (97, 4100, 64)])
    func packedPanelsMatchTheGEMM(m: Int, n: Int, k: Int) {
        let a = KernelTests.values(m * k, seed: 1), b = KernelTests.values(n * k, seed: 2), bias = KernelTests.values(n, seed: 3)
        let packed = b.withUnsafeBufferPointer { PackedWeightPanels(weight: $0.baseAddress!, n: n, k: k) }
        var c = [Float](repeating: .nan, count: m * n)
        a.withUnsafeBufferPointer { a in
            bias.withUnsafeBufferPointer { bias in
                c.withUnsafeMutableBufferPointer { c in
                    packed.multiply(m: m, a: a.baseAddress!, lda: k, c: c.baseAddress!, ldc: n, bias: bias.baseAddress!)
                }
            }
        }
        #expect(c == Self.expected(a, b, bias, m: m, n: n, k: k))
    }

    @Test("logits in a mapped file, in three row blocks with unaligned edges or one block, equal one GEMM's",
          arguments: [2 * LogitsDecoder.rowBlock + 232, 300])
    func blockedDecoderInAMappedFile(rows: Int) throws {
        let vocab = 53, hidden = 40   // 300 rows: one block (<= hidden + rowBlock); the other: three, packed
        let dir = try TemporaryDirectory()
        let weights = dir.url("decoder.safetensors").path
        let decoderValues = KernelTests.values(vocab * hidden, seed: 4), biasValues = KernelTests.values(vocab, seed: 5)
        try SafetensorsWriter.write([
            SafetensorsWriter.Entry(name: "decoder", shape: [vocab, hidden], floats: decoderValues),
            SafetensorsWriter.Entry(name: "bias", shape: [vocab], floats: biasValues),
        ], to: weights)
        let store = WeightStore(sources: [try SafetensorsFile(path: weights)])
        let decoder = try store.load("decoder", shape: [vocab, hidden]), bias = try store.load("bias", shape: [vocab])
        let hValues = KernelTests.values(rows * hidden, seed: 6)
        let h = Matrix(rows: rows, cols: hidden, values: hValues)

        let path = dir.url("out.safetensors").path
        let info = TensorInfo(name: "logits", dtype: .f32, shape: [rows, vocab])
        let output = try MappedSafetensorsOutput(path: path, infos: [info])
        let target = try #require(output.bytes(of: "logits"))
        let (logits, placed) = Matrix.placing(byteCount: target.count, at: target.baseAddress!, sharedFileMapping: true) {
            LogitsDecoder.decode(h, decoder: decoder, bias: bias)
        }
        #expect(placed && logits.isInSharedFileMapping)
        try output.commit()

        let expected = Self.expected(hValues, decoderValues, biasValues, m: rows, n: vocab, k: hidden)
        #expect(try SafetensorsFile(path: path).tensor(named: "logits").floats() == expected)
        // Not placed: the same values from the ordinary path.
        #expect(LogitsDecoder.decode(h, decoder: decoder, bias: bias).toArray() == expected)
    }
}
