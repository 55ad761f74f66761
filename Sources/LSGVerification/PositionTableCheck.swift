import CheckpointIO

/// Check 3a: the converted position table is the original's tiled to max-len + 2 rows (reference §4):
/// rows 0-1 kept, then `new[2 + j] = body[j mod (N0 - 2)]` with `body = P[2...]`. This is the
/// corrected tiling; it equals the reference's wherever the reference's row count is right
/// (it comes out short for lengths such as 513 or 1025, which this check then reports).
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
              originalInfo.shape[0] > 2, info.shape[0] >= 2, info.dtype.isFloatingPoint
        else {
            return fail("shape", "\(convertedName) \(shapeText(info.shape)) cannot be a tiling of the original's \(shapeText(originalInfo.shape))")
        }
        let rows = info.shape[0], width = info.shape[1], sourceRows = originalInfo.shape[0]
        var problems: [String] = []
        if let maxLength = subject.provenance?.maxLength, rows != maxLength + 2 {
            problems.append("\(rows) rows, but the conversion's max length \(maxLength) needs \(maxLength + 2)")
        }
        let source = try subject.originalWeights.tensor(named: originalName).floats()
        let body = sourceRows - 2
        var expected = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            let from = r < 2 ? r : 2 + (r - 2) % body
            for c in 0..<width { expected[r * width + c] = source[from * width + c] }
        }
        let stored = try subject.convertedWeights.tensor(named: convertedName)
        let difference = expected.withUnsafeBufferPointer {
            TensorComparison.compare(stored: stored, expected: $0, rowLength: width)
        }
        var figure = "max |diff| \(format(difference.maxAbsDifference))"
        if let first = difference.firstDifferingIndex {
            let row = first / width
            let from = row < 2 ? row : 2 + (row - 2) % body
            figure += ", first row \(row)"
            problems.append("\(difference.differingRows)/\(rows) rows differ from the tiled original; first: row \(row) (should equal original row \(from)), max |diff| \(format(difference.maxAbsDifference))")
        }
        let summary = "\(rows) rows = rows 0-1 + original rows 2..\(sourceRows - 1) tiled"
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
