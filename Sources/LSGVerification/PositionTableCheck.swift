import CheckpointIO

/// Check 3a: the converted position table is the original's tiled to max-len + offset rows
/// (reference §4; offset = the family's position offset, 2 for RoBERTa, 0 for BERT): the offset rows
/// kept, then `new[o + j] = body[j mod (N0 - o)]` with `body = P[o...]`. This is the corrected
/// tiling; it equals the reference's wherever the reference's row count is right (for RoBERTa it
/// comes out short for lengths such as 513 or 1025, which this check then reports).
public enum PositionTableCheck {
    public static func run(_ subject: VerificationSubject) throws -> CheckResult {
        let bare = "embeddings.position_embeddings.weight"
        let convertedName = subject.convertedBackboneName(bare)
        guard let info = subject.convertedWeights.info(named: convertedName) else {
            return fail("missing", "the converted weights have no \(convertedName)")
        }
        guard let originalName = subject.originalBackboneName(bare), let originalInfo = subject.originalWeights.info(named: originalName) else {
            return fail("no source", "the original has no position table to compare with")
        }
        guard info.shape.count == 2, originalInfo.shape.count == 2, info.shape[1] == originalInfo.shape[1],
              originalInfo.shape[0] > subject.family.positionOffset, info.shape[0] >= subject.family.positionOffset, info.dtype.isFloatingPoint
        else {
            return fail("shape", "\(convertedName) \(shapeText(info.shape)) cannot be a tiling of the original's \(shapeText(originalInfo.shape))")
        }
        let rows = info.shape[0], width = info.shape[1], sourceRows = originalInfo.shape[0]
        let offset = subject.family.positionOffset
        var problems: [String] = []
        if let maxLength = subject.provenance?.maxLength, rows != maxLength + offset {
            problems.append("\(rows) rows, but the conversion's max length \(maxLength) needs \(maxLength + offset)")
        }
        let source = try subject.originalWeights.tensor(named: originalName).floats()
        let body = sourceRows - offset
        func sourceRow(_ r: Int) -> Int { r < offset ? r : offset + (r - offset) % body }
        var expected = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let from = sourceRow(r)
            for c in 0..<width { expected[r * width + c] = source[from * width + c] }
        }
        let stored = try subject.convertedWeights.tensor(named: convertedName)
        let difference = expected.withUnsafeBufferPointer {
            TensorComparison.compare(stored: stored, expected: $0, rowLength: width)
        }
        var figure = "max |diff| \(format(difference.maxAbsDifference))"
        if let first = difference.firstDifferingIndex {
            let row = first / width
            let from = sourceRow(row)
            figure += ", first row \(row)"
            problems.append("\(difference.differingRows)/\(rows) rows differ from the tiled original; first: row \(row) (should equal original row \(from)), max |diff| \(format(difference.maxAbsDifference))")
        }
        let summary = offset > 0 ? "\(rows) rows = rows 0-\(offset - 1) + original rows \(offset)..\(sourceRows - 1) tiled"
            : "\(rows) rows = original rows 0..\(sourceRows - 1) tiled"
        if problems.isEmpty {
            return CheckResult(id: .positionTable, status: .passed, figure: figure, value: 0,
                               message: "\(summary): identical")
        }
        return CheckResult(id: .positionTable, status: .failed, figure: figure,
                           value: Double(difference.maxAbsDifference), message: "\(summary): mismatch",
                           problems: problems)
    }

    static func fail(_ figure: String, _ problem: String) -> CheckResult {
        CheckResult(id: .positionTable, status: .failed, figure: figure, message: problem, problems: [problem])
    }
}
