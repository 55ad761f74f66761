import CheckpointIO
import Testing
@testable import LSGVerification

/// The one-pass scan checks 1 and 2 share (``CopiedTensorScan``) against a scalar oracle: byte
/// equality and the count of NaN / infinite words, at every tail length and across 8 MiB chunks.
@Suite struct CopiedTensorScanTests {
    static func randomValues(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed
        let specials: [Float] = [.nan, .infinity, -.infinity, .signalingNaN, .greatestFiniteMagnitude, 0, -0]
        return (0..<count).map { i in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if i % 11 == 5 { return specials[Int(state >> 33) % specials.count] }
            return Float(bitPattern: UInt32(truncatingIfNeeded: state >> 32) & 0xBFFF_FFFF)
        }
    }

    @Test("equal copies, and one flipped bit anywhere", arguments: [1, 15, 16, 63, 64, 65, 130, 1000, 4099])
    func matchesTheScalarOracle(count: Int) {
        let original = Self.randomValues(count, seed: UInt64(count))
        let expectedNonFinite = original.filter { !$0.isFinite }.count
        for flipped in [nil, 0, count / 2, count - 1] as [Int?] {
            var stored = original.map(\.bitPattern)
            if let flipped { stored[flipped] ^= 1 << 3 }
            let storedNonFinite = stored.filter { !Float(bitPattern: $0).isFinite }.count
            let result = stored.withUnsafeBytes { a in original.withUnsafeBytes { b in CopiedTensorScan.scanChunk(a, b) } }
            #expect(result.equal == (flipped == nil), "flipped \(String(describing: flipped))")
            #expect(result.nonFinite == storedNonFinite)
            #expect(flipped != nil || storedNonFinite == expectedNonFinite)
        }
    }

    @Test func aDifferenceInALaterChunkIsFound() {
        // 2.5 chunks of 8 MiB: the difference and a NaN sit in the last, partial chunk.
        let count = (MappedPages.chunkBytes / 4) * 5 / 2 + 3
        var values = [Float](repeating: 0.5, count: count)
        values[count - 2] = .infinity
        let original = TensorData(name: "w", shape: [count], floats: values)
        values[count - 1] = 0.25
        let stored = TensorData(name: "w", shape: [count], floats: values)
        let scan = CopiedTensorScan.run(stored: stored, original: original, originalName: "w")
        #expect(!scan.identical)
        #expect(scan.nonFinite == 1)
        #expect(CopiedTensorScan.run(stored: original, original: original, originalName: "w").identical)
    }
}
