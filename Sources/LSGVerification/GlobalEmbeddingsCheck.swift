import CheckpointIO

/// Check 3b: the global embeddings (512 x D) equal the reference's deterministic init (§5a/5b):
/// `global[0] = ordered[0] + word[bos]`, `global[j] = ordered[j] + word[mask]` for j >= 1, where
/// `ordered` reorders the original position rows with the positional stride (from the provenance
/// file, default 64). With random init (provenance `random_global_init`), only row 0 is
/// deterministic (it equals `word[bos] + position[offset]`) and the others must be finite (§5c).
/// Families whose conversion adds `token_type_embeddings[0]` (BERT) get it on every compared row:
/// `(ordered + word) + type[0]`, and under random init row 0 is `(word[bos] + type[0]) + (position + type[0])`
/// (the reference adds it twice there).
///
/// Rows that come from the random rows the reference appends when the source has fewer than 512
/// positions (§5a step 1) cannot be reproduced: they are excluded, counted and checked finite.
/// LSG sources: `resize_lsg` keeps the original table; `keep_first_global_token` keeps its row 0 (§5d).
public enum GlobalEmbeddingsCheck {
    /// Rows of the global table (always 512 in the reference, whatever num_global_tokens is).
    public static let tableRows = 512

    /// Where row `j` of the ordered positions comes from (an index into `P_old[2...]`), for a source
    /// with `sourcePositions` rows after the 2 offset rows and a positional `stride` (§5a). Rows at or
    /// beyond `sourcePositions` are the random rows appended to short sources. Throws when the stride
    /// does not divide the way the reference's reshape needs.
    public static func orderedSourceRows(sourcePositions n: Int, stride: Int) throws(GlobalInitError) -> [Int] {
        guard n > 0 else { throw .noPositions }
        // n >= 512 keeps the first 512*floor(n/512) rows; n < 512 is padded to 512 rows.
        let kept = n >= tableRows ? tableRows * (n / tableRows) : tableRows
        let f = kept / tableRows
        let q = stride / f
        guard q > 0, tableRows % q == 0 else { throw .strideIncompatible(stride: stride, factor: f) }
        let k = tableRows / q
        return (0..<tableRows).map { j in f * ((j % k) * q + j / k) }
    }

    public static func run(_ subject: VerificationSubject) throws -> CheckResult {
        let globalName = subject.convertedBackboneName("embeddings.global_embeddings.weight")
        guard let info = subject.convertedWeights.info(named: globalName) else {
            return fail("missing", "the converted weights have no \(globalName)")
        }
        let width = subject.sizes.hidden
        guard info.shape == [tableRows, width], info.dtype.isFloatingPoint else {
            return fail("shape", "\(globalName) is \(shapeText(info.shape)) \(info.dtype.safetensorsName), expected [\(tableRows), \(width)]")
        }
        let stored = try subject.convertedWeights.tensor(named: globalName)
        let provenance = subject.provenance
        let originalGlobal = subject.originalBackboneName("embeddings.global_embeddings.weight")

        // resize_lsg on an LSG source: the table is carried over unchanged.
        if provenance?.resizeLSG == true, subject.originalIsLSG, let originalGlobal {
            let difference = TensorComparison.compareCopied(stored: stored, original: try subject.originalWeights.tensor(named: originalGlobal))
            return verdict(difference, width: width, compared: tableRows, excluded: [],
                           what: "resize_lsg: equal to the original's global table", notes: [])
        }

        guard let positionsName = subject.originalBackboneName("embeddings.position_embeddings.weight"),
              let positionsInfo = subject.originalWeights.info(named: positionsName), positionsInfo.shape.count == 2,
              positionsInfo.shape[1] == width, positionsInfo.shape[0] > subject.family.positionOffset,
              let wordName = subject.originalBackboneName("embeddings.word_embeddings.weight"),
              let wordInfo = subject.originalWeights.info(named: wordName), wordInfo.shape.count == 2, wordInfo.shape[1] == width
        else {
            return fail("no source", "the original lacks a usable position or word embedding table (hidden \(width))")
        }
        let stride = provenance?.globalPositionalStride ?? 64
        let offset = subject.family.positionOffset
        let sourcePositions = positionsInfo.shape[0] - offset
        var tokenType: [Float]?
        if subject.family.globalsAddTokenType {
            guard let typeName = subject.originalBackboneName("embeddings.token_type_embeddings.weight"),
                  let typeInfo = subject.originalWeights.info(named: typeName), typeInfo.shape.count == 2, typeInfo.shape[1] == width
            else {
                return fail("no source", "the original lacks a usable token type embedding table (hidden \(width))")
            }
            tokenType = Array(try subject.originalWeights.tensor(named: typeName).floats().prefix(width))
        }
        let sourceRows: [Int]
        do {
            sourceRows = try orderedSourceRows(sourcePositions: sourcePositions, stride: stride)
        } catch {
            return fail("stride", "\(error)")
        }
        let tokens = subject.specialTokens
        guard let bos = tokens.bos, bos >= 0, bos < wordInfo.shape[0] else {
            return fail("no bos id", "cannot tell the bos token id (tokenizer files, config bos_token_id): \(tokens.bos.map(String.init) ?? "none")")
        }
        let randomInit = provenance?.randomGlobalInit ?? false
        let keepFirst = (provenance?.keepFirstGlobalToken ?? false) && subject.originalIsLSG && originalGlobal != nil
        var mask = 0
        if !randomInit {
            guard let id = tokens.mask, id >= 0, id < wordInfo.shape[0] else {
                return fail("no mask id", "cannot tell the mask token id from the tokenizer files: \(tokens.mask.map(String.init) ?? "none")")
            }
            mask = id
        }

        let positionsData = try subject.originalWeights.tensor(named: positionsName)
        let wordData = try subject.originalWeights.tensor(named: wordName)
        let keptGlobal = keepFirst ? try subject.originalWeights.tensor(named: originalGlobal!).floats() : []
        var expected = [Float](repeating: 0, count: tableRows * width)
        var compareRows: [Int] = []
        var excluded: [Int] = []
        // Zero-copy views for F32 sources (the word table is V x D: 154 MB for roberta-base).
        positionsData.withFloats { positions in
            wordData.withFloats { word in
                for j in 0..<tableRows {
                    if j == 0 && keepFirst {
                        for c in 0..<width { expected[c] = keptGlobal[c] }
                        compareRows.append(0)
                        continue
                    }
                    let from = sourceRows[j]
                    // Random rows: the appended rows of a short source (§5a), and rows 1.. under random init (§5c).
                    if from >= sourcePositions || (randomInit && j > 0) {
                        excluded.append(j)
                        continue
                    }
                    let token = j == 0 ? bos : mask
                    for c in 0..<width {
                        let position = positions[(offset + from) * width + c], w = word[token * width + c]
                        if let tokenType {
                            // BERT: `positions += tt[0]` after the word rows; random init row 0 is
                            // `w[0] + positions[0]` with `w[0] = u[bos] + tt[0]`.
                            expected[j * width + c] = randomInit ? (w + tokenType[c]) + (position + tokenType[c])
                                : (position + w) + tokenType[c]
                        } else {
                            // f32 addition, as torch does `G_tab[0] += u[bos]` (commutative, so bit-exact).
                            expected[j * width + c] = position + w
                        }
                    }
                    compareRows.append(j)
                }
            }
        }
        var difference = TensorDifference.none
        expected.withUnsafeBufferPointer { buffer in
            for row in compareRows {
                let d = TensorComparison.compare(stored: stored, expected: buffer, range: row * width..<(row + 1) * width)
                if d.differingElements > 0 {
                    difference.differingElements += d.differingElements
                    difference.differingRows += 1
                    difference.maxAbsDifference = max(difference.maxAbsDifference, d.maxAbsDifference)
                    if difference.firstDifferingIndex == nil { difference.firstDifferingIndex = d.firstDifferingIndex }
                }
            }
        }
        var notes: [String] = []
        var problems: [String] = []
        if !excluded.isEmpty {
            let reason = randomInit ? "random init (provenance random_global_init)" : "drawn at random because the source has \(sourcePositions) < 512 positions"
            notes.append("\(excluded.count) rows not compared, \(reason); checked finite only")
            let values = stored.floats()
            let nonFinite = excluded.filter { j in (0..<width).contains { !values[j * width + $0].isFinite } }
            if let first = nonFinite.first {
                problems.append("\(nonFinite.count) random row\(nonFinite.count == 1 ? "" : "s") not finite, first row \(first)")
            }
        }
        let typeText = tokenType == nil ? "" : " + token_type[0]"
        let description = randomInit ? "random init: row 0 = word[bos \(bos)] + position[\(offset)]\(typeText)"
            : "deterministic init, stride \(stride): row 0 = word[bos \(bos)] + position, rows 1.. = word[mask \(mask)] + ordered positions\(typeText)"
        notes.append("token ids: \(tokens.origin)")
        return verdict(difference, width: width, compared: compareRows.count, excluded: excluded,
                       what: description, notes: notes, extraProblems: problems)
    }

    static func verdict(_ difference: TensorDifference, width: Int, compared: Int, excluded: [Int], what: String,
                        notes: [String], extraProblems: [String] = []) -> CheckResult {
        var problems = extraProblems
        var figure = "max |diff| \(format(difference.maxAbsDifference))"
        if let first = difference.firstDifferingIndex {
            let row = first / width
            figure += ", first row \(row)"
            problems.insert("\(difference.differingRows)/\(compared) compared rows differ from the \(what.split(separator: ":").first ?? ""); first: row \(row), max |diff| \(format(difference.maxAbsDifference))", at: 0)
        }
        if !excluded.isEmpty { figure += " (\(compared) row\(compared == 1 ? "" : "s"); \(excluded.count) random)" }
        let status: CheckStatus = problems.isEmpty ? .passed : .failed
        return CheckResult(id: .globalEmbeddings, status: status, figure: figure,
                           value: Double(difference.maxAbsDifference),
                           message: "\(what)" + (status == .passed ? ": identical" : ": mismatch"),
                           problems: problems, notes: notes)
    }

    static func fail(_ figure: String, _ problem: String) -> CheckResult {
        CheckResult(id: .globalEmbeddings, status: .failed, figure: figure, message: problem, problems: [problem])
    }
}
