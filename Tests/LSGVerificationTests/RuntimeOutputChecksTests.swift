import CheckpointIO
import Foundation
import Testing
import TestSupport
@testable import LSGVerification

/// Checks 5a-5c on the bundled runtime, against the conversions made by the real reference.
@Suite struct RuntimeOutputChecksTests {
    static func verify(_ path: String, lengths: [Int] = [], quick: Bool = false) throws -> VerificationReport {
        try Verifier.verify(convertedPath: path, options: VerificationOptions(lengths: lengths, quick: quick)) {
            try RuntimeOutputBackend(subject: $0)
        }
    }

    /// The 128-position source at 256: every check runs with its default lengths, in a few seconds.
    @Test func referenceConversionPassesEveryCheck() throws {
        let copy = try ConvertedCopy("tiny-lsg-pos130-256")
        let report = try Self.verify(copy.path)
        #expect(report.results.map(\.status) == Array(repeating: .passed, count: 9), "\(report.table())")
        let equivalence = try #require(report.result(.outputEquivalence))
        // Same weights, same position rows, dense path: within the 1e-4 / 1e-3.
        #expect(try #require(equivalence.value) <= 1e-4)
        #expect(equivalence.notes.contains("inputs: tokenizer on fixed text, lengths 16, 128"))
        let fidelity = try #require(report.result(.outputFidelity))
        #expect(try #require(fidelity.value) > 0.9)  // mean cosine with the global token on
        #expect(fidelity.figure.contains("top1"))
        #expect(report.result(.longInput)?.figure.hasPrefix("256 tokens") == true)
    }

    /// A bf16 conversion is compared with the original rounded to bf16 the same way.
    @Test func bf16ConversionIsEquivalentToTheRoundedOriginal() throws {
        let report = try Self.verify(Fixtures.path("verify/tiny-lsg-cls-600-bf16"), lengths: [16])
        let equivalence = try #require(report.result(.outputEquivalence))
        #expect(equivalence.status == .passed, "\(equivalence.problems)")
        #expect(equivalence.notes.contains("original's weights rounded to BF16 like the conversion's cast"))
        // --length 16 fits no long-input run (the original already handles 16 tokens).
        #expect(report.result(.longInput)?.status == .skipped)
    }

    @Test func swappedLayersFailEquivalence() throws {
        let copy = try ConvertedCopy("tiny-lsg-1024")
        try copy.editTensors { tensors in
            for i in tensors.indices where tensors[i].name.contains("encoder.layer.0.") {
                let j = tensors.firstIndex { $0.name == tensors[i].name.replacingOccurrences(of: "layer.0.", with: "layer.1.") }!
                let values = tensors[i].values
                tensors[i].values = tensors[j].values
                tensors[j].values = values
            }
        }
        let report = try Self.verify(copy.path, lengths: [16])
        let equivalence = try #require(report.result(.outputEquivalence))
        #expect(equivalence.status == .failed)
        #expect(equivalence.problems.first?.hasPrefix("length 16: hidden states differ by") == true)
        #expect(Set(report.failed.map(\.id)) == [.copiedWeights, .outputEquivalence])
    }

    @Test func quickVerificationRunsOneShortEquivalenceInput() throws {
        let report = try Self.verify(Fixtures.path("verify/tiny-lsg-1024"), quick: true)
        let equivalence = try #require(report.result(.outputEquivalence))
        #expect(equivalence.status == .passed)
        #expect(equivalence.notes.contains("inputs: tokenizer on fixed text, lengths 16"))
        #expect(report.result(.outputFidelity)?.status == .skipped)
        #expect(report.result(.longInput)?.status == .skipped)
    }

    @Test func brokenStructureSkipsTheOutputChecks() throws {
        let copy = try ConvertedCopy("tiny-lsg-pos130-256")
        try copy.editTensors { $0.removeAll { $0.name == "roberta.encoder.layer.0.output.dense.weight" } }
        let report = try Self.verify(copy.path)
        #expect(report.result(.outputEquivalence)?.status == .skipped)
        #expect(report.result(.outputEquivalence)?.message == "not run: the structure check failed")
    }

    @Test func modelTheRuntimeDoesNotImplementSkipsTheOutputChecks() throws {
        let copy = try ConvertedCopy("tiny-lsg-pos130-256")
        try copy.editJSON("config.json") { $0.set("is_decoder", .bool(true)) }
        let report = try Self.verify(copy.path)
        let equivalence = try #require(report.result(.outputEquivalence))
        #expect(equivalence.status == .skipped)
        #expect(equivalence.message.hasPrefix("not run: the runtime does not support this model (is_decoder"))
        #expect(report.passed)
    }
}
