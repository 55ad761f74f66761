import CheckpointIO
import Foundation
import Testing
import TestSupport

/// `lsg-convert infer` end to end, against outputs of the real reference (fixtures/runtime/cases).
@Suite struct InferCommandTests {
    private func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    @Test func lsgFolderWithSetOverridesMatchesTheReference() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url("out.safetensors").path
        let inputs = Fixtures.path("runtime/cases/type-pooling-8-8-2-batch.safetensors")
        let result = try CommandRunner.run(["infer", Fixtures.path("runtime/lsg-mlm"), "--inputs", inputs, "--output", out,
                                            "--set", "sparsity_type=pooling", "--set", "block_size=8",
                                            "--set", "sparse_block_size=8", "--set", "sparsity_factor=2"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let written = try SafetensorsFile(path: out)
        let expected = try SafetensorsFile(path: inputs)
        let hidden = try written.tensor(named: "last_hidden_state")
        #expect(hidden.info.shape == [2, 83, 32])
        #expect(maxAbsDifference(hidden.floats(), try expected.tensor(named: "last_hidden_state").floats()) < 1e-4)
        #expect(try written.tensor(named: "logits").info.shape == [2, 83, 280])
    }

    @Test func robertaFolderWritesHiddenStatesAndLogits() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url("out.safetensors").path
        let inputs = Fixtures.path("runtime/cases/roberta-batch.safetensors")
        let result = try CommandRunner.run(["infer", Fixtures.path("runtime/roberta-mlm"), "--inputs", inputs, "--output", out])
        #expect(result.exitCode == 0, "\(result.stderr)")
        let written = try SafetensorsFile(path: out)
        let expected = try SafetensorsFile(path: inputs)
        for name in ["last_hidden_state", "logits"] {
            let got = try written.tensor(named: name), want = try expected.tensor(named: name)
            #expect(got.info.shape == want.info.shape)
            #expect(maxAbsDifference(got.floats(), want.floats()) < 1e-3, "\(name)")
        }
    }

    /// BERT: the inputs file's `token_type_ids` are used (the case has text pairs), and the
    /// pre-training head's two outputs are written.
    @Test func bertFolderReadsTokenTypeIds() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url("out.safetensors").path
        let inputs = Fixtures.path("bert-runtime/cases/length-40-batch.safetensors")
        let result = try CommandRunner.run(["infer", Fixtures.path("bert-runtime/lsg-pretraining"), "--inputs", inputs, "--output", out])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("LSGBertForPreTraining"))
        let written = try SafetensorsFile(path: out)
        let expected = try SafetensorsFile(path: inputs)
        for name in ["last_hidden_state", "prediction_logits", "seq_relationship_logits"] {
            let got = try written.tensor(named: name), want = try expected.tensor(named: name)
            #expect(got.info.shape == want.info.shape, "\(name)")
            #expect(maxAbsDifference(got.floats(), want.floats()) < 1e-4, "\(name)")
        }
    }

    @Test func malformedSetIsAUsageError() throws {
        let result = try CommandRunner.run(["infer", Fixtures.path("runtime/lsg-mlm"), "--inputs", "x", "--output", "y",
                                            "--set", "block_size"])
        #expect(result.exitCode == 64)
        #expect(result.stderr.contains("KEY=VALUE"))
    }

    @Test func configTheReferenceCannotRunIsRejectedWithTheReason() throws {
        let dir = try TemporaryDirectory()
        // bs 12 / sf 4 = step 3: the reference builds one sparse window too few and crashes.
        let result = try CommandRunner.run(["infer", Fixtures.path("runtime/lsg-mlm"),
                                            "--inputs", Fixtures.path("runtime/cases/length-40.safetensors"),
                                            "--output", dir.url("out.safetensors").path,
                                            "--set", "block_size=12", "--set", "sparsity_factor=4"])
        #expect(result.exitCode == 2)
        #expect(result.stderr.contains("odd"))
    }
}
