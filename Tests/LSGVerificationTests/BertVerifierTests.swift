import CheckpointIO
import Foundation
import Testing
import TestSupport
@testable import LSGVerification

/// `verify` on BERT conversions made by the REAL reference converter
/// (fixtures/make_bert_verify_fixtures.py): every check passes, including the output checks through
/// the runtime; each kind of damage in a temporary copy fails the check that names it.
@Suite struct BertVerifierTests {
    static let pretraining = "bert-lsg-pretraining-1024"

    static func verify(_ path: String, lengths: [Int] = []) throws -> VerificationReport {
        try Verifier.verify(convertedPath: path, options: VerificationOptions(lengths: lengths)) { try RuntimeOutputBackend(subject: $0) }
    }

    /// Every check but 6 passes on the reference's own folders (checks 5a-5c through the runtime);
    /// 6 fails because the fixtures carry no modeling file of ours, and names it.
    @Test(arguments: ["bert-lsg-pretraining-1024", "bert-lsg-cls-600-bf16"])
    func referenceConversionPasses(_ fixture: String) throws {
        let report = try Self.verify(Fixtures.path("verify/\(fixture)"))
        for result in report.results where result.id != .modelingFiles {
            #expect(result.status == .passed, "\(fixture) \(result.id): \(result.message) \(result.problems)")
        }
        #expect(report.results.filter { $0.status == .passed }.count == report.results.count - 1)
        let modeling = try #require(report.result(.modelingFiles))
        #expect(modeling.status == .failed)
        #expect(modeling.problems.first?.hasPrefix("modeling_lsg_bert.py: missing") == true, "\(modeling.problems)")
    }

    @Test func figuresOfThePreTrainingConversion() throws {
        let report = try Self.verify(Fixtures.path("verify/\(Self.pretraining)"), lengths: [16])
        // 6 embedding tensors + 2 layers x 16 + pooler 2 + cls.predictions 5 + cls.seq_relationship 2.
        #expect(report.result(.structure)?.figure == "47/47 tensors")
        #expect(report.result(.copiedWeights)?.figure == "45/45 bit-identical")
        #expect(report.result(.positionTable)?.message.contains("1024 rows = original rows 0..511 tiled") == true)
        #expect(report.result(.globalEmbeddings)?.message.contains("+ token_type[0]") == true)
        // 5a: LSG with globals masked equals BERT on the dense path.
        let equivalence = try #require(report.result(.outputEquivalence))
        #expect(equivalence.status == .passed)
        #expect(equivalence.notes.contains { $0.contains("inputs: tokenizer on fixed text") })
    }

    @Test func globalsBuiltWithoutTheTokenTypeRowFail() throws {
        let copy = try ConvertedCopy(Self.pretraining)
        let original = try SafetensorsFile(path: Fixtures.path("bert-conversion/sources/bert-pretraining/model.safetensors"))
        let types = try original.tensor(named: "bert.embeddings.token_type_embeddings.weight").floats()
        try copy.editTensors { tensors in
            let g = tensors.firstIndex { $0.name == "bert.embeddings.global_embeddings.weight" }!
            for j in 0..<512 { for c in 0..<32 { tensors[g].values[j * 32 + c] -= types[c] } }
        }
        let report = try Verifier.verify(convertedPath: copy.path)
        let globals = try #require(report.result(.globalEmbeddings))
        #expect(globals.status == .failed)
        #expect(globals.problems.first?.contains("512/512 compared rows differ") == true)
        #expect(report.failed.map(\.id).contains(.globalEmbeddings))
    }

    @Test func positionTableWithRoBERTaOffsetFails() throws {
        let copy = try ConvertedCopy(Self.pretraining)
        try copy.editTensors { tensors in
            // Tiling as if rows 0-1 were offset rows: row 512 becomes original row 2 instead of 0.
            let p = tensors.firstIndex { $0.name == "bert.embeddings.position_embeddings.weight" }!
            for c in 0..<32 { tensors[p].values[512 * 32 + c] = tensors[p].values[2 * 32 + c] }
        }
        let report = try Verifier.verify(convertedPath: copy.path)
        let positions = try #require(report.result(.positionTable))
        #expect(positions.status == .failed)
        #expect(positions.problems.contains { $0.contains("row 512 (should equal original row 0)") })
    }

    @Test func damagedHeadAndConfigAreNamed() throws {
        let copy = try ConvertedCopy(Self.pretraining)
        try copy.editTensors { tensors in
            let i = tensors.firstIndex { $0.name == "cls.seq_relationship.weight" }!
            tensors[i].values[3] += 0.5
        }
        try copy.editJSON("config.json") { $0.set("max_position_embeddings", .int(1026)) }
        let report = try Verifier.verify(convertedPath: copy.path)
        let copied = try #require(report.result(.copiedWeights))
        #expect(copied.problems.contains { $0.hasPrefix("cls.seq_relationship.weight: 1/64 elements differ") })
        let config = try #require(report.result(.configTokenizer))
        #expect(config.problems.contains { $0.contains("max_position_embeddings = 1026, but the conversion's max length 1024 needs 1024") })
    }
}
