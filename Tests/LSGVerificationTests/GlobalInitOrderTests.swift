import Testing
@testable import LSGVerification

/// The ordered-position index map of reference §5a, against the values the reference spells out.
@Suite struct GlobalInitOrderTests {
    @Test func robertaBaseStride64() throws {
        // n = 512, f = 1, q = 64, k = 8: ordered[j] = P_old[2 + (j mod 8)*64 + j/8]
        // ("original positions 0, 64, 128, ..., 448, 1, 65, 129, ...").
        let rows = try GlobalEmbeddingsCheck.orderedSourceRows(sourcePositions: 512, stride: 64)
        #expect(rows.count == 512)
        #expect(Array(rows.prefix(10)) == [0, 64, 128, 192, 256, 320, 384, 448, 1, 65])
        #expect(rows[511] == 7 * 64 + 63)
        #expect(Set(rows).count == 512)
    }

    @Test func lsg4096SourceStride64() throws {
        // n = 4096, f = 8, q = 8, k = 64: ordered[j] = P_old[2 + 8*((j mod 64)*8 + j/64)].
        let rows = try GlobalEmbeddingsCheck.orderedSourceRows(sourcePositions: 4096, stride: 64)
        #expect(rows[0] == 0)
        #expect(rows[1] == 64)
        #expect(rows[63] == 8 * 63 * 8)
        #expect(rows[64] == 8)
        #expect(rows[65] == 8 * (8 + 1))
    }

    @Test func sourcesNotAMultipleOf512KeepWholeBlocks() throws {
        // n = 1000 keeps the first 512 rows (f = 1); n = 130 pads to 512 with random rows.
        #expect(try GlobalEmbeddingsCheck.orderedSourceRows(sourcePositions: 1000, stride: 64)
            == GlobalEmbeddingsCheck.orderedSourceRows(sourcePositions: 512, stride: 64))
        let short = try GlobalEmbeddingsCheck.orderedSourceRows(sourcePositions: 128, stride: 64)
        #expect(short.filter { $0 < 128 }.count == 128)
    }

    @Test func strideThatCannotReshapeIsAnError() {
        #expect(throws: GlobalInitError.strideIncompatible(stride: 48, factor: 1)) {
            try GlobalEmbeddingsCheck.orderedSourceRows(sourcePositions: 512, stride: 48)
        }
        // f = 8 and stride 4: q = 0.
        #expect(throws: GlobalInitError.strideIncompatible(stride: 4, factor: 8)) {
            try GlobalEmbeddingsCheck.orderedSourceRows(sourcePositions: 4096, stride: 4)
        }
    }
}
