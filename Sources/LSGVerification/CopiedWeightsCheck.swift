import CheckpointIO
import Foundation

/// Check 2: every tensor the conversion carries over is bit-identical to the original's (reference
/// §3: only the position table changes and the global table is new; everything else is copied, with
/// the family's backbone prefix added or stripped as the head requires). When the converted dtype differs,
/// the original is rounded the same way torch casts (round to nearest even) before comparing.
/// Head or pooler tensors the original lacks are created at random by the conversion: they are
/// listed, not compared.
public enum CopiedWeightsCheck {
    /// Tensors not compared here: the position table (check 3a) and the global table (check 3b).
    static let excludedBackbone = ["embeddings.position_embeddings.weight", "embeddings.global_embeddings.weight"]

    public static func run(_ subject: VerificationSubject) throws -> CheckResult {
        let converted = subject.convertedWeights
        let original = subject.originalWeights
        let excluded = Set(excludedBackbone.map { subject.convertedBackboneName($0) })
        var compared = 0, identical = 0
        var maxDiff: Float = 0
        var problems: [String] = []
        var created: [String] = []
        var used = Set<String>()
        var identicalCopies: [String: String] = [:]
        defer { subject.identicalCopies = identicalCopies }
        for info in converted.tensorInfos where !excluded.contains(info.name) {
            let bare = subject.unprefixed(info.name)
            guard let originalName = originalCounterpart(of: info.name, in: subject) else {
                if subject.family.isHeadOrPooler(bare) {
                    created.append(info.name)
                } else {
                    problems.append("\(info.name): not in the original, yet not a head tensor a conversion may create")
                }
                continue
            }
            used.insert(originalName)
            guard let originalInfo = original.info(named: originalName) else { continue }
            compared += 1
            guard originalInfo.shape == info.shape else {
                problems.append("\(info.name): shape \(shapeText(info.shape)), original \(originalName) has \(shapeText(originalInfo.shape))")
                continue
            }
            guard info.dtype.isFloatingPoint, originalInfo.dtype.isFloatingPoint else {
                problems.append("\(info.name): non-floating dtype \(info.dtype.safetensorsName) / \(originalInfo.dtype.safetensorsName)")
                continue
            }
            if let scan = subject.copyScans[info.name], scan.originalName == originalName, scan.identical {
                identical += 1
                identicalCopies[originalName] = info.name
                continue
            }
            let stored = try converted.tensor(named: info.name)
            let difference = TensorComparison.compareCopied(stored: stored, original: try original.tensor(named: originalName))
            if difference.isIdentical {
                identical += 1
                identicalCopies[originalName] = info.name
                continue
            }
            maxDiff = max(maxDiff, difference.maxAbsDifference)
            var line = "\(info.name): \(difference.differingElements)/\(info.elementCount) elements differ from the original's \(originalName), max |diff| \(format(difference.maxAbsDifference))"
            if let first = difference.firstDifferingIndex { line += ", first at \(indexText(first, shape: info.shape))" }
            if let twin = try identicalSibling(of: stored, originalName: originalName, in: original) {
                line += "; it equals the original's \(twin) (swapped?)"
            }
            problems.append(line)
        }
        let dropped = original.tensorInfos.map(\.name).filter { !used.contains($0) && !isReplaced($0, subject) }
        var notes: [String] = []
        if !created.isEmpty { notes.append("created at random, not compared: \(created.joined(separator: ", "))") }
        if !dropped.isEmpty { notes.append("original tensors not carried over: \(dropped.joined(separator: ", "))") }
        let figure = "\(identical)/\(compared) bit-identical" + (created.isEmpty ? "" : ", \(created.count) new")
        if problems.isEmpty {
            return CheckResult(id: .copiedWeights, status: .passed, figure: figure, value: 0,
                               message: "every copied tensor is bit-identical to the original's", notes: notes)
        }
        return CheckResult(id: .copiedWeights, status: .failed, figure: figure, value: Double(maxDiff),
                           message: "\(problems.count) tensor\(problems.count == 1 ? " differs" : "s differ") from the original, max |diff| \(format(maxDiff))",
                           problems: problems, notes: notes)
    }

    /// The original tensor converted tensor `name` copies: the same name (backbone prefix added or
    /// stripped), else the tied tensor an LM head's decoder duplicates.
    static func originalCounterpart(of name: String, in subject: VerificationSubject) -> String? {
        subject.originalName(for: name) ?? tiedSource(subject.unprefixed(name), subject)
    }

    /// The tied decoder of an LM head copies the word embeddings / the output bias when the
    /// original does not store it (HF ties `lm_head.decoder.weight` / `cls.predictions.decoder.weight`
    /// to `word_embeddings.weight`).
    static func tiedSource(_ bare: String, _ subject: VerificationSubject) -> String? {
        guard let tied = subject.family.languageModel.tiedTensors.first(where: { $0.name == bare }) else { return nil }
        let target = tied.duplicates.hasPrefix("embeddings.")
            ? [subject.family.backbonePrefix + tied.duplicates, tied.duplicates] : [tied.duplicates]
        return target.first { subject.originalWeights.info(named: $0) != nil }
    }

    /// Original tensors the conversion replaces rather than drops (the position table is re-tiled;
    /// an LSG source's global table is recomputed).
    static func isReplaced(_ name: String, _ subject: VerificationSubject) -> Bool {
        excludedBackbone.contains { name == $0 || name == subject.family.backbonePrefix + $0 }
    }

    /// When a copied tensor differs, the original tensor of the same kind in another layer that it
    /// equals exactly (what swapping two layers looks like), if any.
    static func identicalSibling(of stored: TensorData, originalName: String, in original: any TensorSource) throws -> String? {
        guard let range = originalName.range(of: #"layer\.\d+\."#, options: .regularExpression) else { return nil }
        let prefix = originalName[..<range.lowerBound], suffix = originalName[range.upperBound...]
        for info in original.tensorInfos where info.name != originalName && info.shape == stored.info.shape
            && info.name.hasPrefix(prefix) && info.name.hasSuffix(suffix) {
            if TensorComparison.compareCopied(stored: stored, original: try original.tensor(named: info.name)).isIdentical {
                return info.name
            }
        }
        return nil
    }
}

/// `[row, col]` text for a flat index.
func indexText(_ flat: Int, shape: [Int]) -> String {
    guard !shape.isEmpty else { return "[]" }
    var rest = flat
    var index = [Int](repeating: 0, count: shape.count)
    for axis in stride(from: shape.count - 1, through: 0, by: -1) where shape[axis] > 0 {
        index[axis] = rest % shape[axis]
        rest /= shape[axis]
    }
    return "[" + index.map(String.init).joined(separator: ", ") + "]"
}

/// Compact number formatting for the report (`0`, `0.02`, `1.5e-07`).
func format(_ value: Float) -> String { format(Double(value)) }

func format(_ value: Double) -> String {
    if value == 0 { return "0" }
    if !value.isFinite { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
    let magnitude = abs(value)
    if magnitude >= 1e-3 && magnitude < 1e6 {
        var text = String(format: "%.6g", value)
        if text.contains("e") { return text }
        while text.contains("."), text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
    return String(format: "%.3g", value)
}
