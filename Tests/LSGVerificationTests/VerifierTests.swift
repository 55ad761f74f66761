import CheckpointIO
import Foundation
import Testing
import TestSupport
@testable import LSGVerification

/// `verify` on conversions made by the REAL reference converter (fixtures/make_verify_fixtures.py):
/// every check passes, so the checks agree with lsg-converter 0.1.9. Then each kind of damage, made
/// in a temporary copy, fails the check that names it.
@Suite struct VerifierTests {
    static let mlm = "tiny-lsg-1024"
    static let mlmConvertedPath = Fixtures.path("verify/tiny-lsg-1024")

    /// Every check but 6 passes on the reference's own folders; 6 fails because the reference's
    /// modeling file is not ours (the fixtures carry none): it names the file and the fix.
    @Test(arguments: ["tiny-lsg-1024", "tiny-lsg-cls-600-bf16", "tiny-lsg-pos130-256"])
    func referenceConversionPasses(_ fixture: String) throws {
        let report = try Verifier.verify(convertedPath: Fixtures.path("verify/\(fixture)"))
        for id in [CheckID.structure, .copiedWeights, .positionTable, .globalEmbeddings, .configTokenizer] {
            let result = try #require(report.result(id))
            #expect(result.status == .passed, "\(fixture) \(id): \(result.message) \(result.problems)")
        }
        let modeling = try #require(report.result(.modelingFiles))
        #expect(modeling.status == .failed)
        #expect(modeling.problems.first?.hasPrefix("modeling_lsg_roberta.py: missing (run `lsg-convert upgrade ") == true, "\(modeling.problems)")
        #expect(report.exitCode == 1)
        // With our modeling files beside the weights, the same folder passes.
        let copy = try ConvertedCopy(fixture)
        let upgraded = try Verifier.verify(convertedPath: copy.path)
        #expect(upgraded.passed, "\(upgraded.table())")
        #expect(upgraded.exitCode == 0)
        // The original was found through the provenance file.
        #expect(report.originalOrigin.contains("lsg_conversion.json"))
    }

    @Test func mlmFiguresMatchTheReferenceLayout() throws {
        let report = try Verifier.verify(convertedPath: Self.mlmConvertedPath)
        // 6 embedding tensors + 2 layers x 16 + 5 lm_head tensors (the 4.36 save omits lm_head.decoder.*).
        #expect(report.result(.structure)?.figure == "43/43 tensors")
        // Everything but the position and global tables is copied.
        #expect(report.result(.copiedWeights)?.figure == "41/41 bit-identical")
        #expect(report.result(.positionTable)?.value == 0)
        #expect(report.result(.globalEmbeddings)?.value == 0)
    }

    @Test func classificationHeadIsReportedAsCreatedAndBF16IsComparedAfterRounding() throws {
        let report = try Verifier.verify(convertedPath: Fixtures.path("verify/tiny-lsg-cls-600-bf16"))
        let copied = try #require(report.result(.copiedWeights))
        #expect(copied.figure == "36/36 bit-identical, 4 new")
        #expect(copied.notes.contains { $0.contains("created at random") && $0.contains("classifier.out_proj.weight") })
        #expect(copied.notes.contains { $0.contains("not carried over") && $0.contains("lm_head.dense.weight") })
    }

    @Test func shortSourceExcludesTheRandomGlobalRows() throws {
        let report = try Verifier.verify(convertedPath: Fixtures.path("verify/tiny-lsg-pos130-256"))
        let globals = try #require(report.result(.globalEmbeddings))
        #expect(globals.status == .passed)
        // 128 source positions, stride 64: ordered rows j with (j mod 8) in {0, 1} come from real
        // positions (128 rows); the other 384 come from the rows the reference draws at random.
        #expect(globals.figure.contains("128 rows; 384 random"))
        #expect(globals.notes.contains { $0.contains("384 rows not compared") })
    }

    // MARK: - Damage that must be caught

    @Test func swappedLayersFailCopiedWeights() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editTensors { tensors in
            for i in tensors.indices where tensors[i].name.contains("encoder.layer.0.") {
                let j = tensors.firstIndex { $0.name == tensors[i].name.replacingOccurrences(of: "layer.0.", with: "layer.1.") }!
                let values = tensors[i].values
                tensors[i].values = tensors[j].values
                tensors[j].values = values
            }
        }
        let report = try Verifier.verify(convertedPath: copy.path)
        let copied = try #require(report.result(.copiedWeights))
        #expect(copied.status == .failed)
        #expect(copied.problems.count == 32)  // 16 tensors per layer, both layers
        #expect(copied.problems.contains {
            $0.hasPrefix("roberta.encoder.layer.0.attention.self.query.weight:")
                && $0.contains("equals the original's roberta.encoder.layer.1.attention.self.query.weight")
        })
        #expect(report.exitCode == 1)
        // The rest still passes: the damage is pinned on check 2.
        #expect(report.failed.map(\.id) == [.copiedWeights])
    }

    @Test func changedPositionRowFailsThePositionTable() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editTensor("roberta.embeddings.position_embeddings.weight") { tensor in
            tensor.values[700 * 32 + 5] += 0.5
        }
        let report = try Verifier.verify(convertedPath: copy.path)
        let positions = try #require(report.result(.positionTable))
        #expect(positions.status == .failed)
        #expect(positions.figure == "max |diff| 0.5, first row 700")
        // Row 700 = 2 + 698 must equal original row 2 + (698 mod 512) = 188.
        #expect(positions.problems.first?.contains("1/1026 rows differ") == true)
        #expect(positions.problems.first?.contains("original row 188") == true)
        #expect(report.failed.map(\.id) == [.positionTable])
    }

    @Test func changedGlobalRowFailsTheGlobalEmbeddings() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editTensor("roberta.embeddings.global_embeddings.weight") { tensor in
            tensor.values[5 * 32] -= 0.25
        }
        let report = try Verifier.verify(convertedPath: copy.path)
        let globals = try #require(report.result(.globalEmbeddings))
        #expect(globals.status == .failed)
        #expect(globals.figure == "max |diff| 0.25, first row 5")
        #expect(report.failed.map(\.id) == [.globalEmbeddings])
    }

    @Test func perturbedBiasFailsCopiedWeights() throws {
        let copy = try ConvertedCopy(Self.mlm)
        let name = "roberta.encoder.layer.1.output.dense.bias"
        try copy.editTensor(name) { $0.values[3] += 0.02 }
        let report = try Verifier.verify(convertedPath: copy.path)
        let copied = try #require(report.result(.copiedWeights))
        #expect(copied.status == .failed)
        #expect(copied.problems.count == 1)
        #expect(copied.problems[0].hasPrefix("\(name): 1/32 elements differ"))
        #expect(copied.problems[0].contains("first at [3]"))
        let diff = try #require(copied.value)
        #expect(abs(diff - 0.02) < 1e-6)
    }

    @Test func missingTensorFailsStructure() throws {
        let copy = try ConvertedCopy(Self.mlm)
        let name = "roberta.encoder.layer.1.attention.self.key.bias"
        try copy.editTensors { $0.removeAll { $0.name == name } }
        let report = try Verifier.verify(convertedPath: copy.path)
        let structure = try #require(report.result(.structure))
        #expect(structure.status == .failed)
        #expect(structure.problems == ["missing tensor \(name) [32]"])
        #expect(structure.figure == "42/43 tensors")
        #expect(report.exitCode == 1)
    }

    @Test func maxPositionEmbeddingsInconsistentWithTheTableFailsConfig() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editJSON("config.json") { $0.set("max_position_embeddings", .int(2050)) }
        let report = try Verifier.verify(convertedPath: copy.path)
        let config = try #require(report.result(.configTokenizer))
        #expect(config.status == .failed)
        #expect(config.problems.contains("max_position_embeddings = 2050 but the position table has 1026 rows"))
        #expect(config.problems.contains { $0.contains("model_max_length = 1024, expected 2048") })
        // The structure check, which takes shapes from the config, names the table too.
        #expect(report.result(.structure)?.problems.contains { $0.contains("position_embeddings.weight: shape [1026, 32], expected [2050, 32]") } == true)
    }

    @Test func wrongTokenizerMaxLengthFailsConfig() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editJSON("tokenizer_config.json") { $0.set("model_max_length", .int(512)) }
        let report = try Verifier.verify(convertedPath: copy.path)
        let config = try #require(report.result(.configTokenizer))
        #expect(config.status == .failed)
        #expect(config.problems == ["tokenizer_config.json model_max_length = 512, expected 1024 (max_position_embeddings - 2)"])
        #expect(report.failed.map(\.id) == [.configTokenizer])
    }

    @Test func invalidLSGSettingsFailConfig() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editJSON("config.json") { config in
            config.set("block_size", .int(100))
            config.set("sparsity_factor", .int(3))
            config.set("num_global_tokens", .int(600))
            config.set("sparsity_type", .string("fancy"))
            config.remove("auto_map")
        }
        let report = try Verifier.verify(convertedPath: copy.path)
        let problems = try #require(report.result(.configTokenizer)).problems
        #expect(problems.contains("block_size 100 % sparsity_factor 3 != 0: the reference asserts"))
        #expect(problems.contains("num_global_tokens = 600: the reference clamps it to 1...512"))
        #expect(problems.contains("sparsity_type = \"fancy\": unknown, the reference silently turns it into None"))
        #expect(problems.contains("auto_map missing: the folder cannot be loaded with trust_remote_code"))
        #expect(problems.contains("missing LSG key auto_map") == false)
    }

    @Test func degenerateSparseWindowFailsConfig() throws {
        let copy = try ConvertedCopy(Self.mlm)
        // 16/2/5: step 8, sbs 5 <= 6: the reference keeps no sparse window at all (§7.5).
        try copy.editJSON("config.json") { config in
            config.set("block_size", .int(16))
            config.set("sparsity_factor", .int(2))
            config.set("sparse_block_size", .int(5))
        }
        let problems = try #require(try Verifier.verify(convertedPath: copy.path).result(.configTokenizer)).problems
        #expect(problems.contains { $0.hasPrefix("sparse_block_size 5 <= 3/4 of block_size/sparsity_factor = 8") })
    }

    @Test func sourceConfigValueChangedFailsConfig() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editJSON("config.json") { $0.set("layer_norm_eps", .double(1e-12)) }
        let problems = try #require(try Verifier.verify(convertedPath: copy.path).result(.configTokenizer)).problems
        #expect(problems == ["layer_norm_eps = 1e-12 but the original has 1e-05"])
    }

    @Test func nonFiniteValueAndPersistedBufferFailStructure() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editTensors { tensors in
            let i = tensors.firstIndex { $0.name == "lm_head.dense.weight" }!
            tensors[i].values[7] = .nan
            tensors.append(.init(name: "roberta.embeddings.position_ids", dtype: .i64, shape: [1, 0], values: []))
        }
        let structure = try #require(try Verifier.verify(convertedPath: copy.path).result(.structure))
        #expect(structure.status == .failed)
        #expect(structure.problems.contains("lm_head.dense.weight: 1 NaN/Inf value"))
        #expect(structure.problems.contains("unexpected tensor roberta.embeddings.position_ids [1, 0] I64"))
    }

    @Test func wrongStrideInProvenanceFailsGlobals() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editJSON("lsg_conversion.json") { provenance in
            provenance.set("options", .object([("global_positional_stride", .int(32))]))
        }
        let globals = try #require(try Verifier.verify(convertedPath: copy.path).result(.globalEmbeddings))
        #expect(globals.status == .failed)
        // Row 0 is word[bos] + position[2] for every stride; the first reordered row differs.
        #expect(globals.figure.hasSuffix("first row 1"))
    }

    @Test func truncatedInsteadOfRoundedBF16FailsCopiedWeights() throws {
        let copy = try ConvertedCopy("tiny-lsg-cls-600-bf16")
        let name = "roberta.encoder.layer.0.attention.self.value.weight"
        let original = try SafetensorsFile(path: Fixtures.path("models/tiny-roberta-mlm/model.safetensors"))
        let exact = try original.tensor(named: name).floats()
        // Truncating the low 16 bits instead of rounding to nearest even.
        let truncated = exact.map { UInt16($0.bitPattern >> 16) }
        let rounded = exact.map(HalfPrecision.bfloat16(from:))
        let changed = zip(truncated, rounded).filter { $0 != $1 }.count
        #expect(changed > 0)
        try copy.editTensor(name) { $0.raw16 = truncated }
        let copied = try #require(try Verifier.verify(convertedPath: copy.path).result(.copiedWeights))
        #expect(copied.status == .failed)
        #expect(copied.problems.count == 1)
        #expect(copied.problems[0].hasPrefix("\(name): \(changed)/1024 elements differ"))
    }

    @Test func dtypeOtherThanRequestedFailsStructure() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editJSON("lsg_conversion.json") { provenance in
            provenance.set("options", .object([("dtype", .string("bf16"))]))
        }
        let structure = try #require(try Verifier.verify(convertedPath: copy.path).result(.structure))
        #expect(structure.status == .failed)
        #expect(structure.problems.first == "lm_head.bias: dtype F32, expected BF16 (provenance dtype)")
    }

    // MARK: - Cannot run

    @Test func noOriginalIsAClearError() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try FileManager.default.removeItem(at: copy.url.appendingPathComponent("lsg_conversion.json"))
        #expect {
            try Verifier.verify(convertedPath: copy.path)
        } throws: { error in
            guard case .noOriginal = error as? VerificationError else { return false }
            return "\(error)".contains("pass --against ORIGINAL")
        }
        // --against works without a provenance file.
        let report = try Verifier.verify(convertedPath: copy.path, againstPath: Fixtures.path("models/tiny-roberta-mlm"))
        #expect(report.passed)
        #expect(report.originalOrigin == "--against")
    }

    @Test func missingOriginalIsAClearError() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try copy.editJSON("lsg_conversion.json") { $0.set("source", .object([("path", .string("/nonexistent/roberta"))])) }
        #expect(throws: VerificationError.originalNotFound(path: "/nonexistent/roberta", origin: "lsg_conversion.json source.path")) {
            try Verifier.verify(convertedPath: copy.path)
        }
    }

    @Test func unreadableWeightsAreAnError() throws {
        let copy = try ConvertedCopy(Self.mlm)
        try Data("not a checkpoint at all".utf8).write(to: copy.url.appendingPathComponent("model.safetensors"))
        #expect {
            try Verifier.verify(convertedPath: copy.path)
        } throws: { error in
            guard case .unreadable = error as? VerificationError else { return false }
            return true
        }
    }
}
