import ArgumentParser
import CheckpointIO
import Foundation
import LSGVerification

/// `lsg-convert verify CONVERTED [--against ORIGINAL] [--json] [--length N ...] [--min-cosine X] [--min-top1 X]`.
///
/// Exit codes: 0 every check passed, 1 a check failed (the report says which and by how much),
/// 2 the verification cannot run (unreadable input, no original, bad option values).
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check a converted LSG model against its original (RoBERTa, BERT), with numbers and an exit code.",
        discussion: """
            Checks: 1 structure (tensors, shapes, dtype, finite), 2 copied weights bit-identical, \
            3a position table tiled from the original, 3b global embeddings equal their init, \
            4 config and tokenizer consistent, 5a dense equivalence with the original (globals masked), \
            5b fidelity with globals on (cosine, top-k), 5c a max-length input (finite; tokens/s). \
            ORIGINAL defaults to the source recorded in CONVERTED/lsg_conversion.json. \
            Exit 0: all checks pass; 1: a check failed; 2: cannot run. See docs/verify.md.
            """
    )

    @Argument(help: "The converted LSG model folder.")
    var converted: String

    @Option(help: ArgumentHelp("The original model folder (default: source.path in lsg_conversion.json).", valueName: "ORIGINAL"))
    var against: String?

    @Flag(help: "Print the report as JSON on stdout.")
    var json = false

    // Numeric options are parsed here rather than by ArgumentParser so that a bad value exits with 2
    // like every other "cannot run" case (ArgumentParser's own usage errors exit with 64).
    @Option(name: .customLong("length"), help: ArgumentHelp("Input length for the output checks (repeatable).", valueName: "N"))
    var lengthTexts: [String] = []

    @Option(name: .customLong("min-cosine"), help: ArgumentHelp("Fail the fidelity check below this mean cosine (0...1).", valueName: "X"))
    var minCosineText: String?

    @Flag(help: "The long-input check (5c) also runs the MLM decoder at every position and checks the logits (default: hidden states only; 5a/5b compare the logits).")
    var longInputLogits = false

    @Option(name: .customLong("min-top1"), help: ArgumentHelp("Fail the fidelity check below this top-1 agreement (0...1).", valueName: "X"))
    var minTop1Text: String?

    func run() throws {
        let report = try CommandSupport.reportingErrors {
            try Verifier.verify(convertedPath: converted, againstPath: against, options: try options()) { subject in
                try RuntimeOutputBackend(subject: subject, longInputLogits: longInputLogits)
            }
        }
        print(json ? report.json().serialized(indent: 2, asciiOnly: false) : report.table())
        if report.exitCode != 0 { throw ExitCode(report.exitCode) }
    }

    /// The parsed options; ``VerificationError/badOption(name:reason:)`` for values out of range.
    func options() throws -> VerificationOptions {
        var lengths: [Int] = []
        for text in lengthTexts {
            guard let value = Int(text), value >= 2 else {
                throw VerificationError.badOption(name: "--length \(text)", reason: "expected an integer >= 2")
            }
            lengths.append(value)
        }
        func fraction(_ text: String?, _ name: String) throws -> Double? {
            guard let text else { return nil }
            guard let value = Double(text), (0...1).contains(value) else {
                throw VerificationError.badOption(name: "\(name) \(text)", reason: "expected a number between 0 and 1")
            }
            return value
        }
        return VerificationOptions(lengths: lengths, minCosine: try fraction(minCosineText, "--min-cosine"),
                                   minTop1: try fraction(minTop1Text, "--min-top1"))
    }
}

extension VerifyCommand {
    /// The quick verification `convert` ends with unless `--no-verify` (issue 8): checks 1-4 and 5a
    /// on one short input against the source folder; throws ``VerificationError`` when the folders
    /// cannot be read. `convert` runs it on the finished temporary folder, before the commit.
    static func quickVerificationReport(of convertedPath: String, against originalPath: String? = nil,
                                        modelingFileOverridden: Bool = false) throws -> VerificationReport {
        let options = VerificationOptions(quick: true,
                                          skipModelingFiles: modelingFileOverridden ? "--modeling-file replaced the built-in module" : nil)
        return try Verifier.verify(convertedPath: convertedPath, againstPath: originalPath, options: options) {
            try RuntimeOutputBackend(subject: $0, oneShot: true)
        }
    }
}
