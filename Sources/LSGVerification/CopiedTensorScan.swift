import CheckpointIO

/// One pass over a converted F32 tensor and the original it copies, giving what check 1 (only finite
/// values) and check 2 (bit-identical copy) both need: each 8 MiB chunk of both files is read once and
/// its mapped pages given back, instead of check 1 mapping and scanning the converted model and
/// check 2 mapping it again for the comparison (issue 14's profile of the default `convert`: the two
/// passes cost ~0.1 CPU-s on the roberta-base shape, most of it page mapping).
///
/// ``StructureCheck`` runs the scan and records it on the subject (``VerificationSubject/copyScans``);
/// ``CopiedWeightsCheck`` takes an identical result from there and compares element by element only
/// when the bytes differ (the report then needs the differing count, the maximum and the first index).
struct CopiedTensorScan: Sendable {
    /// The original tensor compared with.
    let originalName: String
    /// Whether the converted bytes equal the original's.
    let identical: Bool
    /// NaN and infinite elements of the converted tensor.
    let nonFinite: Int

    /// Scans `stored` against `original` (both F32, same element count, `stored` 4-byte aligned).
    static func run(stored: TensorData, original: TensorData, originalName: String) -> CopiedTensorScan {
        precondition(stored.info.dtype == .f32 && original.info.dtype == .f32 && stored.bytes.count == original.bytes.count,
                     "CopiedTensorScan: F32 tensors of one size only")
        var identical = true
        var nonFinite = 0
        MappedPages.forEachChunk(stored.bytes, owner: stored.owner, alignment: 4) { piece, offset in
            let other = UnsafeRawBufferPointer(rebasing: original.bytes[offset..<(offset + piece.count)])
            let (equal, count) = scanChunk(piece, other)
            MappedPages.release(other, owner: original.owner)
            identical = identical && equal
            nonFinite += count
            return true
        }
        return CopiedTensorScan(originalName: originalName, identical: identical, nonFinite: nonFinite)
    }

    /// Whether `stored` and `original` (same byte count, a multiple of 4) hold the same bytes, and how
    /// many of `stored`'s F32 words are NaN or infinite: one read of each, 64 words per step in
    /// `SIMD16` lanes (see ``TensorComparison/nonFiniteWords(_:count:)`` for the exponent test).
    static func scanChunk(_ stored: UnsafeRawBufferPointer, _ original: UnsafeRawBufferPointer) -> (equal: Bool, nonFinite: Int) {
        let words = stored.count / 4
        let a = stored.baseAddress!, b = original.baseAddress!
        let exponent = SIMD16<UInt32>(repeating: 0x7f80_0000)
        @inline(__always) func load(_ base: UnsafeRawPointer, _ word: Int) -> SIMD16<UInt32> {
            base.loadUnaligned(fromByteOffset: 4 * word, as: SIMD16<UInt32>.self)
        }
        @inline(__always) func flags(_ v: SIMD16<UInt32>) -> SIMD16<UInt32> {
            ((v & exponent) &+ 0x0080_0000) &>> 31
        }
        var differing = SIMD16<UInt32>()
        var lanes = SIMD16<UInt32>()
        var i = 0
        // A chunk is at most 2^21 words: lanes gain at most 4 per step, far below UInt32's range.
        while i + 64 <= words {
            let (x0, x1, x2, x3) = (load(a, i), load(a, i + 16), load(a, i + 32), load(a, i + 48))
            differing |= (x0 ^ load(b, i)) | (x1 ^ load(b, i + 16)) | (x2 ^ load(b, i + 32)) | (x3 ^ load(b, i + 48))
            lanes &+= flags(x0) &+ flags(x1) &+ flags(x2) &+ flags(x3)
            i += 64
        }
        var equal = differing == SIMD16<UInt32>()
        var nonFinite = Int(lanes.wrappedSum())
        while i < words {
            let x = a.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
            equal = equal && x == b.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)
            nonFinite += (x & 0x7f80_0000) == 0x7f80_0000 ? 1 : 0
            i += 1
        }
        return (equal, nonFinite)
    }
}
