import Foundation

/// Check 5 (outputs): compares forward passes of the original RoBERTa and the converted LSG model.
/// The checks are written against ``OutputBackend`` so that they need nothing from the runtime but
/// forward passes; `LSGRuntime` provides the backend (see ``Verifier``).
///
/// * 5a equivalence: on inputs short enough for the dense path (t <= 2 * block_size), the LSG model
///   with its global keys masked out and `pool_with_global` / `mask_first_token` off must equal the
///   original RoBERTa: hidden states within 1e-4, logits within 1e-3.
/// * 5b fidelity: the LSG model as configured (globals on), on inputs up to the original's maximum
///   length: mean / minimum per-token cosine of the last hidden states, max |diff|, and for MLM
///   models top-1 / top-5 agreement at masked positions. Fails only below `--min-cosine` / `--min-top1`.
/// * 5c long input: the LSG model on a max-length input gives finite outputs; time and tokens/s.
public enum OutputChecks {
    /// 5a tolerances (issue 8).
    public static let hiddenTolerance: Float = 1e-4
    public static let logitsTolerance: Float = 1e-3

    public static func equivalence(_ backend: any OutputBackend, inputs: [[Int]]) throws -> CheckResult {
        var hiddenMax: Float = 0, logitsMax: Float = 0
        var problems: [String] = []
        for ids in inputs {
            let (reference, lsg) = try backend.originalAndGlobalsMasked(ids)
            let hidden = OutputMetrics.maxAbsDifference(reference.hidden, lsg.hidden)
            hiddenMax = max(hiddenMax, hidden)
            if hidden > hiddenTolerance { problems.append("length \(ids.count): hidden states differ by \(format(hidden)) > \(format(hiddenTolerance))") }
            if let a = reference.logits, let b = lsg.logits {
                let logits = OutputMetrics.maxAbsDifference(a, b)
                logitsMax = max(logitsMax, logits)
                if logits > logitsTolerance { problems.append("length \(ids.count): logits differ by \(format(logits)) > \(format(logitsTolerance))") }
            }
        }
        let figure = "hidden \(format(hiddenMax)), logits \(format(logitsMax))"
        let lengths = inputs.map { String($0.count) }.joined(separator: ", ")
        return CheckResult(id: .outputEquivalence, status: problems.isEmpty ? .passed : .failed, figure: figure,
                           value: Double(hiddenMax),
                           message: "globals masked, dense path, lengths \(lengths): max |diff| vs the original" + (problems.isEmpty ? " within tolerance" : " too large"),
                           problems: problems)
    }

    /// - Parameter skipFirstToken: leave token 0 out of the cosines (with `pool_with_global` it carries
    ///   global 0's output by design, reference §7.2).
    public static func fidelity(_ backend: any OutputBackend, inputs: [OutputInput], minCosine: Double?, minTop1: Double?,
                                skipFirstToken: Bool = false) throws -> CheckResult {
        var cosines: [Double] = []
        var maxDiff: Float = 0
        var top1 = 0, top5 = 0, masked = 0
        for input in inputs {
            let reference = try backend.original(input.ids)
            let lsg = try backend.lsg(input.ids, mode: .asConfigured)
            let rowCosines = OutputMetrics.rowCosines(reference.hidden, lsg.hidden, width: backend.hiddenSize)
            cosines += skipFirstToken ? Array(rowCosines.dropFirst()) : rowCosines
            maxDiff = max(maxDiff, OutputMetrics.maxAbsDifference(reference.hidden, lsg.hidden))
            if let a = reference.logits, let b = lsg.logits {
                let agreement = OutputMetrics.topKAgreement(a, b, vocab: backend.vocabSize, positions: input.maskedPositions)
                top1 += agreement.top1
                top5 += agreement.top5
                masked += input.maskedPositions.count
            }
        }
        let mean = cosines.isEmpty ? 1 : cosines.reduce(0, +) / Double(cosines.count)
        let minimum = cosines.min() ?? 1
        var figure = "cos mean \(format(mean)) min \(format(minimum))"
        var problems: [String] = []
        if masked > 0 {
            let rate1 = Double(top1) / Double(masked), rate5 = Double(top5) / Double(masked)
            figure += ", top1 \(format(rate1)) top5 \(format(rate5))"
            if let minTop1, rate1 < minTop1 { problems.append("top-1 agreement \(format(rate1)) < --min-top1 \(format(minTop1))") }
        }
        if let minCosine, mean < minCosine { problems.append("mean cosine \(format(mean)) < --min-cosine \(format(minCosine))") }
        return CheckResult(id: .outputFidelity, status: problems.isEmpty ? .passed : .failed, figure: figure, value: mean,
                           message: "globals on: last hidden states vs the original, max |diff| \(format(maxDiff))"
                               + (skipFirstToken ? " (token 0 left out of the cosines: pool_with_global)" : ""),
                           problems: problems)
    }

    public static func longInput(_ backend: any OutputBackend, ids: [Int]) throws -> CheckResult {
        let start = Date()
        let counts = try backend.lsgFiniteness(ids)
        let seconds = Date().timeIntervalSince(start)
        let nonFinite = counts.nonFinite
        let figure = "\(ids.count) tokens, \(format(seconds)) s, \(format(Double(ids.count) / max(seconds, 1e-9))) tok/s"
        return CheckResult(id: .longInput, status: nonFinite == 0 ? .passed : .failed, figure: figure, value: seconds,
                           message: nonFinite == 0 ? "all \(counts.values) outputs finite" : "\(nonFinite) NaN/Inf outputs",
                           problems: nonFinite == 0 ? [] : ["\(nonFinite) non-finite values in the outputs of a \(ids.count)-token input"])
    }

    /// The result shown for 5a-5c when no runtime is available.
    public static func skipped(_ id: CheckID, reason: String) -> CheckResult {
        CheckResult(id: id, status: .skipped, figure: "not run", message: reason)
    }
}
