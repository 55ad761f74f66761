import CheckpointIO

/// What `verify` is asked to do beyond the defaults.
public struct VerificationOptions: Sendable {
    /// Input lengths for the output checks (default: a short dense-path length and the original's maximum).
    public var lengths: [Int] = []
    /// 5b fails when the mean per-token cosine is below this.
    public var minCosine: Double?
    /// 5b fails when the top-1 agreement at masked positions is below this.
    public var minTop1: Double?

    public init(lengths: [Int] = [], minCosine: Double? = nil, minTop1: Double? = nil) {
        self.lengths = lengths
        self.minCosine = minCosine
        self.minTop1 = minTop1
    }
}

/// Runs every check on a converted model and returns the report.
public enum Verifier {
    /// Opens `convertedPath` and its original (`againstPath`, else the provenance file's source) and
    /// runs checks 1-4; check 5 is reported as skipped until a runtime backend is available.
    /// Throws ``VerificationError`` when the inputs cannot be read (exit code 2).
    public static func verify(convertedPath: String, againstPath: String? = nil,
                              options: VerificationOptions = VerificationOptions()) throws -> VerificationReport {
        let subject = try VerificationSubject(convertedPath: convertedPath, againstPath: againstPath)
        return try verify(subject, options: options)
    }

    public static func verify(_ subject: VerificationSubject, options: VerificationOptions) throws -> VerificationReport {
        var results: [CheckResult] = []
        do {
            results.append(try StructureCheck.run(subject))
            results.append(try CopiedWeightsCheck.run(subject))
            results.append(try PositionTableCheck.run(subject))
            results.append(try GlobalEmbeddingsCheck.run(subject))
            results.append(try ConfigTokenizerCheck.run(subject))
        } catch let error as CheckpointError {
            throw VerificationError.unreadable(error)
        }
        let reason = "needs the LSG runtime, not in this build"
        results += [CheckID.outputEquivalence, .outputFidelity, .longInput].map { OutputChecks.skipped($0, reason: reason) }
        return VerificationReport(subject: subject, results: results)
    }
}
