/// Extension of the position table (reference §4).
///
/// RoBERTa numbers positions from `padding_idx + 1 = 2`, so rows 0-1 are kept and the body
/// `P[2...]` is tiled verbatim (no interpolation) up to `L + 2` rows:
/// `new[r] = P[r]` for r < 2, `new[r] = P[2 + (r - 2) mod (N0 - 2)]` otherwise.
///
/// The reference computes the number of copies as `L // N0 + 1`, dividing by N0 (which includes the
/// two offset rows) instead of N0 - 2, and comes out short for L = 513, 1025-1027, 1537, 262144...
/// (its output then fails to reload: the config says L + 2 rows). We tile as many copies as needed;
/// wherever the reference's count suffices, the rows are identical.
public enum PositionEmbeddings {
    /// `padding_idx + 1` for RoBERTa, XLM-R and CamemBERT.
    public static let offset = 2

    /// The source row that output row `row` copies, for a source table of `sourceRows` rows (> 2).
    @inlinable
    public static func sourceRow(_ row: Int, sourceRows: Int) -> Int {
        row < offset ? row : offset + (row - offset) % (sourceRows - offset)
    }

    /// Copies of the body needed for `maxLength` positions: ceil(L / (N0 - 2)).
    public static func copies(maxLength: Int, sourceRows: Int) -> Int {
        let body = sourceRows - offset
        return (maxLength + body - 1) / body
    }

    /// How many rows the reference's table has: `min(L + 2, 2 + (L // N0 + 1) * (N0 - 2))`.
    /// Smaller than `L + 2` exactly where the reference's output is broken.
    public static func referenceRowCount(maxLength: Int, sourceRows: Int) -> Int {
        min(maxLength + offset, offset + (maxLength / sourceRows + 1) * (sourceRows - offset))
    }

    /// Streams the extended table: `table` holds the source's rows (already in the output dtype,
    /// `rowBytes` bytes each); `emit` receives contiguous runs of rows in order, `outputRows` rows in all.
    static func tile(_ table: UnsafeRawBufferPointer, rowBytes: Int, outputRows: Int,
                     emit: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let sourceRows = table.count / rowBytes
        let head = min(offset, outputRows)
        try emit(UnsafeRawBufferPointer(rebasing: table[0..<(head * rowBytes)]))
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
