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
        let hidden = try got.tensor(named: "last_hidden_state"), wantHidden = try want.tensor(named: "last_hidden_state")
        #expect(hidden.info.shape == wantHidden.info.shape)
        let hiddenError = zip(hidden.floats(), wantHidden.floats()).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(hiddenError < 1e-4, "last_hidden_state max abs error \(hiddenError)")
        // The fixture keeps the logits of the first 5 tokens of item 0 ([5, vocab]).
        let logits = try got.tensor(named: "logits").floats(), wantLogits = try want.tensor(named: "logits_first5").floats()
        let logitsError = zip(logits.prefix(wantLogits.count), wantLogits).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        #expect(logitsError < 1e-3, "logits max abs error \(logitsError)")
    }
}
