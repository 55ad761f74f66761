import CheckpointIO

/// What `verify` is asked to do beyond the defaults.
public struct VerificationOptions: Sendable {
    /// Input lengths for the output checks (default: a short dense-path length and the original's maximum).
    public var lengths: [Int] = []
    /// 5b fails when the mean per-token cosine is below this.
    public var minCosine: Double?
    /// 5b fails when the top-1 agreement at masked positions is below this.
    public var minTop1: Double?
    /// `convert`'s end-of-run verification (issue 8): checks 1-4 and 5a on one short input only.
    public var quick: Bool
    /// Check 6 is skipped with this reason (convert with an explicit `--modeling-file`).
    public var skipModelingFiles: String?

    public init(lengths: [Int] = [], minCosine: Double? = nil, minTop1: Double? = nil, quick: Bool = false,
                skipModelingFiles: String? = nil) {
        self.lengths = lengths
        self.minCosine = minCosine
        self.minTop1 = minTop1
        self.quick = quick
        self.skipModelingFiles = skipModelingFiles
    }
}

/// Runs every check on a converted model and returns the report.
public enum Verifier {
    /// Opens `convertedPath` and its original (`againstPath`, else the provenance file's source) and
    /// runs checks 1-4, then 5a-5c through `makeBackend` (skipped when it is nil or returns nil).
    /// Throws ``VerificationError`` when the inputs cannot be read (exit code 2).
    public static func verify(convertedPath: String, againstPath: String? = nil,
                              options: VerificationOptions = VerificationOptions(),
                              makeBackend: ((VerificationSubject) throws -> (any OutputBackend)?)? = nil) throws -> VerificationReport {
        let subject = try VerificationSubject(convertedPath: convertedPath, againstPath: againstPath)
        return try verify(subject, options: options, makeBackend: makeBackend)
    }

    /// Runs the checks on an opened subject. The backend is built only when the structure check
    /// passed (a runtime cannot load missing or misshapen tensors); a backend that fails to load
    /// fails the output checks with its error.
    public static func verify(_ subject: VerificationSubject, options: VerificationOptions,
                              makeBackend: ((VerificationSubject) throws -> (any OutputBackend)?)? = nil) throws -> VerificationReport {
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
        let ids: [CheckID] = [.outputEquivalence, .outputFidelity, .longInput]
        if results.first(where: { $0.id == .structure })?.status == .failed, makeBackend != nil {
            results += ids.map { OutputChecks.skipped($0, reason: "not run: the structure check failed") }
        } else {
            do {
                let backend = try makeBackend?(subject)
                results += outputChecks(subject, options: options, backend: backend)
            } catch let unavailable as OutputChecksUnavailable {
                results += ids.map { OutputChecks.skipped($0, reason: unavailable.reason) }
            } catch {
                results += ids.map {
                    CheckResult(id: $0, status: .failed, figure: "cannot load", message: "the runtime cannot load the models: \(error)",
                                problems: ["\(error)"])
                }
            }
        }
        if let reason = options.skipModelingFiles {
            results.append(OutputChecks.skipped(.modelingFiles, reason: reason))
        } else {
            results.append(ModelingFilesCheck.run(folder: subject.convertedURL, config: subject.config))
        }
        return VerificationReport(subject: subject, results: results)
    }

    /// Checks 5a-5c through `backend`; skipped without one.
    static func outputChecks(_ subject: VerificationSubject, options: VerificationOptions, backend: (any OutputBackend)?) -> [CheckResult] {
        let ids: [CheckID] = [.outputEquivalence, .outputFidelity, .longInput]
        guard let backend else {
            return ids.map { OutputChecks.skipped($0, reason: "needs the LSG runtime, not in this build") }
        }
        let config = subject.config
        let convertedRows = subject.convertedWeights.info(named: subject.convertedBackboneName("embeddings.position_embeddings.weight"))?.shape.first ?? subject.sizes.positions
        let offset = subject.family.positionOffset
        let originalRows = subject.originalBackboneName("embeddings.position_embeddings.weight")
            .flatMap { subject.originalWeights.info(named: $0)?.shape.first } ?? 512 + offset
        let bos = subject.specialTokens.bos ?? 0
        // RoBERTa's </s> (config eos_token_id), BERT's [SEP] (tokenizer files).
        let eos = config["eos_token_id"]?.intValue ?? SpecialTokenIDs.read(folder: subject.convertedURL, config: config).eos ?? 2
        let text = FixedTextTokens.ids(folder: subject.convertedURL, family: subject.family, text: OutputCheckPlan.text)
        let plan = OutputCheckPlan.make(originalMaxLength: originalRows - offset, convertedMaxLength: convertedRows - offset,
                                        blockSize: config["block_size"]?.intValue ?? 128, requested: options.lengths,
                                        textIds: text.ids, textIdsUnavailable: text.unavailable, vocab: subject.sizes.vocab,
                                        bos: bos, eos: eos, mask: subject.specialTokens.mask)
        let skipFirst = config["pool_with_global"]?.boolValue ?? true
        func attempt(_ id: CheckID, _ inputs: [OutputInput], _ body: () throws -> CheckResult) -> CheckResult {
            guard !inputs.isEmpty else { return OutputChecks.skipped(id, reason: "no --length value fits this check") }
            do {
                var result = try body()
                result.notes.append("inputs: \(plan.idSource), lengths \(inputs.map { String($0.ids.count) }.joined(separator: ", "))")
                if id != .longInput { result.notes += backend.notes }
                return result
            } catch {
                return CheckResult(id: id, status: .failed, figure: "error", message: "the forward pass failed: \(error)",
                                   problems: ["\(error)"])
            }
        }
        if options.quick {
            let short = Array(plan.equivalence.prefix(1))
            return [
                attempt(.outputEquivalence, short) { try OutputChecks.equivalence(backend, inputs: short.map(\.ids)) },
                OutputChecks.skipped(.outputFidelity, reason: "quick verification (run `lsg-convert verify` for all checks)"),
                OutputChecks.skipped(.longInput, reason: "quick verification (run `lsg-convert verify` for all checks)"),
            ]
        }
        return [
            attempt(.outputEquivalence, plan.equivalence) { try OutputChecks.equivalence(backend, inputs: plan.equivalence.map(\.ids)) },
            attempt(.outputFidelity, plan.fidelity) {
                try OutputChecks.fidelity(backend, inputs: plan.fidelity, minCosine: options.minCosine, minTop1: options.minTop1,
                                          skipFirstToken: skipFirst)
            },
            attempt(.longInput, plan.long) { try OutputChecks.longInput(backend, ids: plan.long.last!.ids) },
        ]
    }
}
