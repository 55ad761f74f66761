/// Extension of the position table (reference §4).
///
/// The table has `offset` rows before position 0 (RoBERTa numbers positions from
/// `padding_idx + 1 = 2`; BERT has none). Those rows are kept and the body `P[offset...]` is tiled
/// verbatim (no interpolation) up to `L + offset` rows:
/// `new[r] = P[r]` for r < offset, `new[r] = P[offset + (r - offset) mod (N0 - offset)]` otherwise.
///
/// The reference computes the number of copies as `L // N0 + 1`, dividing by N0 (which includes the
/// offset rows) instead of N0 - offset. With RoBERTa's offset 2 it comes out short for L = 513,
/// 1025-1027, 1537, 262144... (its output then fails to reload: the config says L + 2 rows). We tile
/// as many copies as needed; wherever the reference's count suffices, the rows are identical. With
/// BERT's offset 0 its count always suffices (`N0 · (L // N0 + 1) > L`).
public enum PositionEmbeddings {
    /// The source row that output row `row` copies, for a source table of `sourceRows` rows (> offset).
    @inlinable
    public static func sourceRow(_ row: Int, sourceRows: Int, offset: Int) -> Int {
        row < offset ? row : offset + (row - offset) % (sourceRows - offset)
    }

    /// Copies of the body needed for `maxLength` positions: ceil(L / (N0 - offset)).
    public static func copies(maxLength: Int, sourceRows: Int, offset: Int) -> Int {
        let body = sourceRows - offset
        return (maxLength + body - 1) / body
    }

    /// How many rows the reference's table has: `min(L + offset, offset + (L // N0 + 1) * (N0 - offset))`.
    /// Smaller than `L + offset` exactly where the reference's output is broken.
    public static func referenceRowCount(maxLength: Int, sourceRows: Int, offset: Int) -> Int {
        min(maxLength + offset, offset + (maxLength / sourceRows + 1) * (sourceRows - offset))
    }

    /// Streams the extended table: `table` holds the source's rows (already in the output dtype,
    /// `rowBytes` bytes each); `emit` receives contiguous runs of rows in order, `outputRows` rows in all.
    static func tile(_ table: UnsafeRawBufferPointer, rowBytes: Int, outputRows: Int, offset: Int,
                     emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let sourceRows = table.count / rowBytes
        let head = min(offset, outputRows)
        if head > 0 { try emit(UnsafeRawBufferPointer(rebasing: table[0..<(head * rowBytes)])) }
        var remaining = outputRows - head
        let body = UnsafeRawBufferPointer(rebasing: table[(offset * rowBytes)...])
        let bodyRows = sourceRows - offset
        while remaining > 0 {
            let n = min(remaining, bodyRows)
            try emit(UnsafeRawBufferPointer(rebasing: body[0..<(n * rowBytes)]))
            remaining -= n
        }
    }
}
