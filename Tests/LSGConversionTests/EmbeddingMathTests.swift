import CheckpointIO
import Foundation
import LSGConversion
import Testing
import TestSupport

/// Position tiling and global-row ordering against hand-computed values (reference §4, §5a), and
/// the random parts against their distributions.
@Suite("Position and global embedding math")
struct EmbeddingMathTests {
    @Test("copy count: ceil(L / (N0 - 2)); the reference's count is short exactly at its failing lengths")
    func copies() {
        #expect(PositionEmbeddings.copies(maxLength: 4096, sourceRows: 514, offset: 2) == 8)
        #expect(PositionEmbeddings.copies(maxLength: 1025, sourceRows: 514, offset: 2) == 3)
        #expect(PositionEmbeddings.copies(maxLength: 100, sourceRows: 514, offset: 2) == 1)
        for length in [513, 1025, 1026, 1027, 1537, 262_144] {
            #expect(PositionEmbeddings.referenceRowCount(maxLength: length, sourceRows: 514, offset: 2) < length + 2, "L=\(length)")
        }
        for length in stride(from: 512, through: 131_072, by: 512) {
            #expect(PositionEmbeddings.referenceRowCount(maxLength: length, sourceRows: 514, offset: 2) == length + 2, "L=\(length)")
        }
        // L = 1000: rows 2..1001 are body[0..511] then body[0..487].
        #expect(PositionEmbeddings.sourceRow(0, sourceRows: 514, offset: 2) == 0)
        #expect(PositionEmbeddings.sourceRow(513, sourceRows: 514, offset: 2) == 513)
        #expect(PositionEmbeddings.sourceRow(514, sourceRows: 514, offset: 2) == 2)
        #expect(PositionEmbeddings.sourceRow(1001, sourceRows: 514, offset: 2) == 2 + 487)
    }

    @Test("ordered global rows: stride 64 over 512 positions, and an LSG-4096 source (§5a examples)")
    func ordering() throws {
        let base = try GlobalEmbeddings.orderedSourceRows(positionRows: 512, stride: 64)
        #expect(base.prefix(10) == [.position(0), .position(64), .position(128), .position(192), .position(256),
                                    .position(320), .position(384), .position(448), .position(1), .position(65)])
        let lsg = try GlobalEmbeddings.orderedSourceRows(positionRows: 4096, stride: 64)
        // ordered[j] = P_old[2 + 8·((j mod 64)·8 + floor(j/64))]
        for j in [0, 1, 63, 64, 65, 511] { #expect(lsg[j] == .position(8 * ((j % 64) * 8 + j / 64))) }
        // 128 positions: rows whose source index is >= 128 are random draws.
        let short = try GlobalEmbeddings.orderedSourceRows(positionRows: 128, stride: 64)
        #expect(short.filter { if case .position = $0 { true } else { false } }.count == 128)
        #expect(short[2] == .random(0))  // (2 mod 8)·64 = 128 -> first appended row
    }

    @Test("new random head weights are normal(0, initializer_range); same seed, same bytes; other seed, other bytes")
    func headWeights() throws {
        let temp = try TemporaryDirectory("lsg-random")
        var options = ConversionOptions()
        options.maxLength = 512
        options.architecture = "RobertaForSequenceClassification"
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options, to: temp.url("a"))
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options, to: temp.url("b"))
        options.seed = 7
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options, to: temp.url("c"))
        let a = try SafetensorsFile(path: temp.url("a/model.safetensors").path)
        let b = try SafetensorsFile(path: temp.url("b/model.safetensors").path)
        let c = try SafetensorsFile(path: temp.url("c/model.safetensors").path)
        let w = try a.tensor(named: "classifier.dense.weight").floats()
        #expect(w == (try b.tensor(named: "classifier.dense.weight").floats()))
        #expect(w != (try c.tensor(named: "classifier.dense.weight").floats()))
        // 1024 draws from normal(0, 0.2): sample std within 10 %, mean within 4 standard errors.
        let mean = w.reduce(0, +) / Float(w.count)
        let std = (w.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(w.count - 1)).squareRoot()
        #expect(abs(std - 0.2) < 0.02)
        #expect(abs(mean) < 4 * 0.2 / Float(w.count).squareRoot())
        #expect(try a.tensor(named: "classifier.dense.bias").floats().allSatisfy { $0 == 0 })
    }

    @Test("random global rows of a short source follow the positions' column mean and std")
    func shortSourceRows() throws {
        let temp = try TemporaryDirectory("lsg-random")
        var options = ConversionOptions()
        options.maxLength = 512
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm-130"), options: options, to: temp.url("out"))
        let output = try SafetensorsFile(path: temp.url("out/model.safetensors").path)
        let globals = try output.tensor(named: "roberta.embeddings.global_embeddings.weight").floats()
        let source = try SafetensorsFile(path: ConversionFixtures.source("tiny-mlm-130").appendingPathComponent("model.safetensors").path)
        let positions = Array(try source.tensor(named: "roberta.embeddings.position_embeddings.weight").floats()[(2 * 32)...])
        let mask = try source.tensor(named: "roberta.embeddings.word_embeddings.weight").floats()[(268 * 32)..<(269 * 32)]
        let order = try GlobalEmbeddings.orderedSourceRows(positionRows: 128, stride: 64)
        var drawn: [[Float]] = []
        for (j, row) in order.enumerated() where j > 0 {
            if case .random = row { drawn.append((0..<32).map { globals[j * 32 + $0] - mask[mask.startIndex + $0] }) }
        }
        #expect(drawn.count == 384)
        for c in [0, 7, 31] {
            let column = (0..<128).map { positions[$0 * 32 + c] }
            let mean = column.reduce(0, +) / 128
            let std = (column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 127).squareRoot()
            let sample = drawn.map { $0[c] }
            let sampleMean = sample.reduce(0, +) / Float(sample.count)
            let sampleStd = (sample.map { ($0 - sampleMean) * ($0 - sampleMean) }.reduce(0, +) / Float(sample.count - 1)).squareRoot()
            #expect(abs(sampleMean - mean) < 5 * std / Float(sample.count).squareRoot(), "column \(c)")
            #expect(abs(sampleStd - std) < 0.2 * std, "column \(c)")
        }
    }

    @Test("random global init: row 0 is word[bos] + position, the rest follow the word embeddings' mean")
    func randomInit() throws {
        let temp = try TemporaryDirectory("lsg-random")
        var options = ConversionOptions()
        options.maxLength = 512
        options.randomGlobalInit = true
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options, to: temp.url("out"))
        let output = try SafetensorsFile(path: temp.url("out/model.safetensors").path)
        let globals = try output.tensor(named: "roberta.embeddings.global_embeddings.weight").floats()
        let source = try SafetensorsFile(path: ConversionFixtures.source("tiny-mlm").appendingPathComponent("model.safetensors").path)
        let positions = try source.tensor(named: "roberta.embeddings.position_embeddings.weight").floats()
        let word = try source.tensor(named: "roberta.embeddings.word_embeddings.weight").floats()
        for c in 0..<32 { #expect(globals[c] == word[c] + positions[2 * 32 + c]) }
        let order = try GlobalEmbeddings.orderedSourceRows(positionRows: 512, stride: 64)
        for c in [0, 13, 31] {
            let wordColumn = (0..<269).map { word[$0 * 32 + c] }
            let mean = wordColumn.reduce(0, +) / 269
            let std = (wordColumn.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 268).squareRoot()
            let draws = (1..<512).map { j -> Float in
                guard case let .position(p) = order[j] else { return .nan }
                return globals[j * 32 + c] - positions[(2 + p) * 32 + c]
            }
            let drawMean = draws.reduce(0, +) / Float(draws.count)
            let drawStd = (draws.map { ($0 - drawMean) * ($0 - drawMean) }.reduce(0, +) / Float(draws.count - 1)).squareRoot()
            #expect(abs(drawMean - mean) < 5 * std / Float(draws.count).squareRoot(), "column \(c)")
            #expect(abs(drawStd - std) < 0.2 * std, "column \(c)")
        }
    }

    @Test("covariance of the word embeddings (torch.cov(u.T), unbiased) on a hand-computed 4 x 2 case")
    func covariance() {
        // Rows (1,2) (3,4) (5,0) (7,2): mean (4,2); centred (-3,0) (-1,2) (1,-2) (3,0).
        let rows: [[Float]] = [[1, 2], [3, 4], [5, 0], [7, 2]]
        let (mean, matrix) = GlobalEmbeddings.covariance(vocabulary: 4, hidden: 2) { rows[$0] }
        #expect(mean == [4, 2])
        #expect(abs(matrix[0] - 20.0 / 3) < 1e-9)
        #expect(abs(matrix[1] + 4.0 / 3) < 1e-9 && matrix[1] == matrix[2])
        #expect(abs(matrix[3] - 8.0 / 3) < 1e-9)
    }

    @Test("SHA-256 test vectors (FIPS 180-4)")
    func sha256() {
        func hex(_ s: String) -> String { Array(s.utf8).withUnsafeBytes { SHA256.hex($0) } }
        #expect(hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Streaming in odd pieces gives the same digest.
        var h = SHA256()
        let text = Array(String(repeating: "a", count: 1000).utf8)
        var i = 0
        for size in [1, 63, 64, 65, 200, 607] { h.update(Array(text[i..<(i + size)])); i += size }
        #expect(h.finalizeHex() == hex(String(repeating: "a", count: 1000)))
        #expect(hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("the SHA-NI block function agrees with the portable one")
    func sha256Hardware() {
        // Every length 0...300 crosses the 64-byte block boundaries and the padding cases.
        var bytes: [UInt8] = []
        var x: UInt32 = 12345
        for _ in 0..<300 { x = x &* 1_103_515_245 &+ 12345; bytes.append(UInt8(truncatingIfNeeded: x >> 16)) }
        for length in 0...300 {
            var fast = SHA256(), portable = SHA256(portable: true)
            fast.update(Array(bytes[0..<length]))
            portable.update(Array(bytes[0..<length]))
            #expect(fast.finalizeHex() == portable.finalizeHex(), "length \(length)")
        }
    }
}
