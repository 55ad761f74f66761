import CheckpointIO
import ModelFamilies

/// Check 1: the converted weights hold exactly the tensors the LSG class needs (reference §3), with
/// the shapes config.json implies, one floating dtype throughout (the original's, or the one the
/// conversion asked for), and only finite values.
public enum StructureCheck {
    public static func run(_ subject: VerificationSubject) throws -> CheckResult {
        let weights = subject.convertedWeights
        guard let architecture = subject.architecture else {
            let name = subject.converted.architecture ?? "(none)"
            return CheckResult(id: .structure, status: .failed, figure: "unknown class",
                               message: "config.json architectures[0] = \(name) is not an LSG class",
                               problems: ["architectures[0] = \(name): expected LSG<\(ModelFamily.all.map(\.classStem).joined(separator: "|"))><Head>"])
        }
        let required = architecture.requiredTensors(subject.sizes)
        let optional = architecture.optionalTensors(subject.sizes)
        var problems: [String] = []
        var notes: [String] = []
        var present = 0
        for (name, shape) in required {
            guard let info = weights.info(named: name) else {
                problems.append("missing tensor \(name) \(shapeText(shape))")
                continue
            }
            present += 1
            if info.shape != shape {
                problems.append("\(name): shape \(shapeText(info.shape)), expected \(shapeText(shape))")
            }
        }
        for (name, shape) in optional {
            guard let info = weights.info(named: name) else { continue }
            notes.append("tied copy \(name) present")
            if info.shape != shape { problems.append("\(name): shape \(shapeText(info.shape)), expected \(shapeText(shape))") }
        }
        let known = Set(required.map(\.name) + optional.map(\.name))
        for info in weights.tensorInfos where !known.contains(info.name) {
            // A persisted `position_ids` buffer must be dropped: it is non-persistent since
            // transformers 4.31 and a stale size breaks reloading (reference §3, lsg-converter issue #8).
            problems.append("unexpected tensor \(info.name) \(shapeText(info.shape)) \(info.dtype.safetensorsName)")
        }

        // One floating dtype throughout: the requested one, else the original's.
        let expectedDType = Self.expectedDType(subject)
        var dtypeMismatches: [String] = []
        var nonFinite: [String] = []
        for info in weights.tensorInfos where known.contains(info.name) {
            if info.dtype != expectedDType.dtype {
                dtypeMismatches.append("\(info.name): dtype \(info.dtype.safetensorsName), expected \(expectedDType.dtype.safetensorsName) (\(expectedDType.reason))")
            }
            guard info.dtype.isFloatingPoint else { continue }
            let count = try nonFiniteCount(info.name, subject)
            if count > 0 { nonFinite.append("\(info.name): \(count) NaN/Inf value\(count == 1 ? "" : "s")") }
        }
        problems += dtypeMismatches.prefix(10)
        if dtypeMismatches.count > 10 { problems.append("... and \(dtypeMismatches.count - 10) more dtype mismatches") }
        problems += nonFinite

        let figure = "\(present)/\(required.count) tensors"
        if problems.isEmpty {
            return CheckResult(id: .structure, status: .passed, figure: figure, value: Double(present),
                               message: "\(architecture.className): all \(required.count) tensors present, shapes match config, \(expectedDType.dtype.safetensorsName), all finite",
                               notes: notes)
        }
        return CheckResult(id: .structure, status: .failed, figure: figure, value: Double(present),
                           message: "\(architecture.className): \(problems.count) structural problem\(problems.count == 1 ? "" : "s")",
                           problems: problems, notes: notes)
    }

    /// NaN and infinite elements of converted tensor `name`. An F32 copy of an F32 original is scanned
    /// together with the comparison check 2 needs (``CopiedTensorScan``, recorded on the subject), so
    /// the converted model is read once for both checks.
    static func nonFiniteCount(_ name: String, _ subject: VerificationSubject) throws -> Int {
        let stored = try subject.convertedWeights.tensor(named: name)
        if stored.info.dtype == .f32, stored.info.elementCount > 0,
           let base = stored.bytes.baseAddress, Int(bitPattern: base) % 4 == 0,
           let originalName = CopiedWeightsCheck.originalCounterpart(of: name, in: subject),
           let originalInfo = subject.originalWeights.info(named: originalName),
           originalInfo.dtype == .f32, originalInfo.shape == stored.info.shape {
            let original = try subject.originalWeights.tensor(named: originalName)
            let scan = CopiedTensorScan.run(stored: stored, original: original, originalName: originalName)
            subject.copyScans[name] = scan
            return scan.nonFinite
        }
        return TensorComparison.nonFiniteCount(stored)
    }

    /// The dtype every converted tensor must have, and why: the provenance's `dtype` when it asks
    /// for one, else the original's word-embedding dtype ("keep").
    static func expectedDType(_ subject: VerificationSubject) -> (dtype: DType, reason: String) {
        switch subject.provenance?.dtype?.lowercased() {
        case "f32", "float32": return (.f32, "provenance dtype")
        case "f16", "float16": return (.f16, "provenance dtype")
        case "bf16", "bfloat16": return (.bf16, "provenance dtype")
        default: break
        }
        if let name = subject.originalBackboneName("embeddings.word_embeddings.weight"),
           let info = subject.originalWeights.info(named: name) {
            return (info.dtype, "original's dtype")
        }
        return (.f32, "default")
    }
}

func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
