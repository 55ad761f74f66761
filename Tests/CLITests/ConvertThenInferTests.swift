import CheckpointIO
import Foundation
import Testing
import TestSupport

/// `lsg-convert convert` followed by `lsg-convert infer` against the reference converting the same source
/// and running its LSGRobertaForMaskedLM (fixtures/runtime/end-to-end, made by make_runtime_fixtures.py).
@Suite struct ConvertThenInferTests {
    @Test func convertedTinyModelMatchesTheReferenceConversionAndForward() throws {
        let dir = try TemporaryDirectory()
        let model = dir.url("tiny-lsg").path
        let converted = try CommandRunner.run([
            "convert", Fixtures.path("models/tiny-roberta-mlm"), "-o", model, "--max-len", "256", "-q",
            "--block-size", "16", "--sparse-block-size", "16", "--sparsity-factor", "4",
            "--sparsity-type", "pooling", "--num-global-tokens", "2", "--no-verify",
        ])
        #expect(converted.exitCode == 0, "\(converted.stderr)")
        let expectedPath = Fixtures.path("runtime/end-to-end/tiny-roberta-mlm-256-pooling.safetensors")
        let out = dir.url("out.safetensors").path
        let inferred = try CommandRunner.run(["infer", model, "--inputs", expectedPath, "--output", out])
        #expect(inferred.exitCode == 0, "\(inferred.stderr)")
        let got = try SafetensorsFile(path: out), want = try SafetensorsFile(path: expectedPath)
        for (name, tolerance) in [("last_hidden_state", Float(1e-4)), ("logits", Float(1e-3))] {
            let a = try got.tensor(named: name), b = try want.tensor(named: name)
            #expect(a.info.shape == b.info.shape)
            let error = zip(a.floats(), b.floats()).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
            #expect(error < tolerance, "\(name) max abs error \(error)")
        }
    }
}
