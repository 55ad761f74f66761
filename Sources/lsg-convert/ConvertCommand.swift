import ArgumentParser
import CheckpointIO
import Foundation
import LSGConversion
import LSGVerification
import LSGRuntime
import ModelingFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OutputDType: ExpressibleByArgument {}

/// `lsg-convert [convert] MODEL --max-len 4096 ...`: RoBERTa / BERT -> LSG, the layout of the Python
/// `lsg-converter` 0.1.9 (see docs/conversion.md).
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a RoBERTa (XLM-R, CamemBERT) or BERT checkpoint into a long-context LSG model.",
        discussion: """
        Writes model.safetensors, config.json, the tokenizer files, the family's modeling files \
        (modeling_lsg_roberta.py..., built into lsg-convert) and lsg_conversion.json into the output \
        folder, which appears only once complete. Tensors are bit-identical to the Python lsg-converter 0.1.9 wherever it is \
        deterministic; use --dry-run to see every tensor's rule.
        """
    )

    @Argument(help: "A model folder (config.json + weights), or a hub model id (roberta-base, FacebookAI/roberta-base) looked up in the local Hugging Face cache and downloaded unless HF_HUB_OFFLINE=1.")
    var model: String

    @Option(help: "Hub revision (branch, tag or commit) when MODEL is a cache name.")
    var revision: String = "main"

    @Option(name: .shortAndLong, help: "Output folder (default: ./NAME-lsg-<max-len>).")
    var output: String?

    @Option(help: "New maximum sequence length, without RoBERTa's 2 offset positions (BERT has none).")
    var maxLen: Int = 4096

    @Option(help: "Target class, e.g. RobertaForSequenceClassification, LSGRobertaModel, BertForMaskedLM (default: the source's, else RobertaForMaskedLM / BertForPreTraining; BertModel for a sentence-transformers export).")
    var architecture: String?

    @Option(help: "Local attention block size (default 128, or the LSG source's).")
    var blockSize: Int?
    @Option(help: "Sparse block size (default 128).")
    var sparseBlockSize: Int?
    @Option(help: "Sparsity factor (default 2).")
    var sparsityFactor: Int?
    @Option(help: "Sparsity type: none, norm, pooling, lsh, stride, block_stride, bos_pooling (default norm).")
    var sparsityType: String?
    @Option(help: "Number of global tokens, 1...512 (default 1).")
    var numGlobalTokens: Int?
    @Flag(inversion: .prefixedNo, help: "Mask the first token (<s>) in attention (default off).")
    var maskFirstToken: Bool?
    @Flag(inversion: .prefixedNo, help: "Replace token 0's output with global 0's (default on).")
    var poolWithGlobal: Bool?
    @Flag(inversion: .prefixedNo, help: "Pad inputs to a multiple of the block size (default on).")
    var adaptive: Bool?

    @Option(help: "Position stride between consecutive global tokens.")
    var globalPositionalStride: Int = 64
    @Flag(help: "Draw the global embeddings from the word embeddings' distribution (seeded) instead of the deterministic init.")
    var randomGlobalInit = false
    @Flag(help: "LSG sources: keep the first global token.")
    var keepFirstGlobalToken = false
    @Flag(name: .customLong("resize-lsg"), help: "LSG sources: only re-tile the positions, keep the global table.")
    var resizeLSG = false
    @Option(help: "Seed of every random draw (new head weights, random global rows).")
    var seed: UInt64 = 123
    @Option(name: .customLong("set"), help: ArgumentHelp("Any other config key, JSON-typed (numbers, true/false, null, else a string); repeatable.", valueName: "KEY=VALUE"))
    var settings: [String] = []

    @Option(help: "Floating-point type of the output: keep, f32, f16, bf16.")
    var dtype: OutputDType = .keep
    @Option(help: ArgumentHelp("Write this file instead of the built-in modeling module; it must have the module's name (modeling_lsg_roberta.py for RoBERTa). The modules it imports relatively are still the built-in ones.", valueName: "PATH"))
    var modelingFile: String?

    @Flag(help: "Print the plan (every output tensor and its rule) and write nothing.")
    var dryRun = false
    @Flag(help: "Replace an existing non-empty output folder.")
    var force = false
    @Flag(help: "Skip the quick verification that ends a conversion (structure, copied weights, positions, globals, config, and dense-path equivalence on one short input; `lsg-convert verify` runs the full set).")
    var noVerify = false
    @Flag(help: "Do not record the sha256 of the source weight files in lsg_conversion.json (saves reading the source twice).")
    var noSourceHash = false
    @Flag(name: .shortAndLong, help: "No progress output.")
    var quiet = false

    func options(output: String) throws -> ConversionOptions {
        var options = ConversionOptions()
        options.maxLength = maxLen
        options.architecture = architecture
        options.blockSize = blockSize
        options.sparseBlockSize = sparseBlockSize
        options.sparsityFactor = sparsityFactor
        options.sparsityType = sparsityType
        options.numGlobalTokens = numGlobalTokens
        options.maskFirstToken = maskFirstToken
        options.poolWithGlobal = poolWithGlobal
        options.adaptive = adaptive
        options.globalPositionalStride = globalPositionalStride
        options.randomGlobalInit = randomGlobalInit
        options.keepFirstGlobalToken = keepFirstGlobalToken
        options.resizeLSG = resizeLSG
        options.seed = seed
        options.outputDType = dtype
        options.nameOrPath = output
        options.configOverrides = try settings.map(Self.parseSetting)
        return options
    }

    /// `KEY=VALUE` with VALUE read as JSON when it parses (`3`, `0.1`, `true`, `null`, `"x"`), Python's
    /// `True`/`False`/`None`, else the bare text as a string (the same rule as the runtime's `--set`).
    static func parseSetting(_ text: String) throws -> (key: String, value: JSONValue) {
        guard let setting = ConfigOverride.parse(assignment: text) else {
            throw ValidationError("--set expects KEY=VALUE, got \"\(text)\"")
        }
        return setting
    }

    func run() throws {
        try CommandSupport.reportingErrors { try convert() }
    }

    private func convert() throws {
        let folderURL = try ModelArgument.resolveFolder(model, revision: revision)
        let outputPath = output ?? "./\(ModelArgument.shortName(model))-lsg-\(maxLen)"
        let options = try options(output: outputPath)
        let folder = try ModelFolder(url: folderURL)
        let source = try folder.openWeights()
        var converter = LSGConverter(folder: folder, source: source, options: options)
        let plan = try converter.plan()
        let destination = URL(fileURLWithPath: outputPath)

        if dryRun {
            print(plan)
            print("Output: \(destination.standardizedFileURL.path)")
            do { try OutputFolder.checkDestination(destination, force: force) } catch { print("note: \(error)") }
            return
        }
        for warning in plan.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }

        if let modelingFile {
            converter.modelingFileOverride = try ModelingFile(contentsOf: URL(fileURLWithPath: (modelingFile as NSString).expandingTildeInPath))
        }
        converter.hashSource = !noSourceHash
        if !FileManager.default.fileExists(atPath: (model as NSString).expandingTildeInPath) { converter.sourceName = model }
        installInterruptHandlers()
        let printer = ProgressPrinter(quiet: quiet)
        // The quick checks 1-4 and 5a (issue 8) run on the finished temporary folder while the
        // source hash completes on its thread (issue 14); the folder is committed either way, and a
        // failed check then exits 1 with the output kept for inspection.
        var verification: (folder: String, report: Result<VerificationReport, any Error>)?
        let verify: ((URL) -> Void)? = noVerify ? nil : { temporary in
            // An explicit --modeling-file is by design not the built-in module: that check is skipped.
            verification = (temporary.path, Result {
                try VerifyCommand.quickVerificationReport(of: temporary.path, against: folderURL.path,
                                                          modelingFileOverridden: modelingFile != nil)
            })
        }
        try converter.convert(plan: plan, to: destination, force: force, progress: { printer.handle($0) }, beforeCommit: verify)

        print("Converted \(model) -> \(outputPath): \(plan.targetClass), \(plan.maxLength + 2) positions, torch_dtype \(plan.config["torch_dtype"]?.stringValue ?? "?")")
        if let verification {
            if !quiet { print("Verified \(outputPath) against \(folderURL.path) (quick checks; --no-verify skips them)") }
            var report = try CommandSupport.reportingErrors { try verification.report.get() }
            // It ran on the temporary folder that has since been renamed into place.
            report.converted = destination.standardizedFileURL.path
            let temporaryName = URL(fileURLWithPath: verification.folder).lastPathComponent
            print(report.table().replacingOccurrences(of: verification.folder, with: destination.standardizedFileURL.path)
                .replacingOccurrences(of: temporaryName, with: destination.lastPathComponent))
            if report.exitCode != 0 { throw ExitCode(report.exitCode) }
        }
    }

    /// SIGINT/SIGTERM stop the conversion at the next tensor; the temporary folder is then removed.
    private func installInterruptHandlers() {
        signal(SIGINT) { _ in ConversionInterrupt.requested = true }
        signal(SIGTERM) { _ in ConversionInterrupt.requested = true }
        // A blocked signal mask is inherited across exec: a parent that spawns us from a thread
        // blocking SIGTERM (Foundation's Process from a test runner or service does) would make the
        // handlers above never run. Unblock both here, before any worker thread is created.
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
    }
}
