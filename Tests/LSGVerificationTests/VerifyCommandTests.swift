import Foundation
import Testing
import TestSupport

/// The `lsg-convert verify` binary's exit codes: 0 all checks pass, 1 a check failed, 2 cannot run.
/// Runs the executable built next to this test bundle (TestSupport's `CommandRunner`).
@Suite struct VerifyCommandTests {
    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let result = try CommandRunner.run(arguments)
        return (result.exitCode, result.stdout, result.stderr)
    }

    @Test func referenceConversionExitsZero() throws {
        // --length 16: the output checks on one short input (5c then has no length to run).
        // (The reference's folder with our modeling files, i.e. upgraded.)
        let copy = try ConvertedCopy("tiny-lsg-1024")
        let result = try Self.run(["verify", copy.path, "--length", "16"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("2   copied weights         PASS    41/41 bit-identical"))
        #expect(result.stdout.contains("5a  equivalence (dense)    PASS    hidden "))
        #expect(result.stdout.contains("6   modeling files         PASS    1/1 current"))
        #expect(result.stdout.hasSuffix("PASS: 8 checks passed, 1 skipped\n"))
    }

    @Test func referenceFolderWithoutOurModelingFileExitsOne() throws {
        let result = try Self.run(["verify", Fixtures.path("verify/tiny-lsg-1024"), "--length", "16"])
        #expect(result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("6   modeling files         FAIL    0/1 current"))
        #expect(result.stdout.contains("FAIL modeling_lsg_roberta.py: missing (run `lsg-convert upgrade "))
        #expect(result.stdout.contains("FAIL: 1 of 9 checks failed (modeling files)"))
    }

    @Test func damagedConversionExitsOneAndNamesTheProblem() throws {
        let copy = try ConvertedCopy("tiny-lsg-1024")
        try copy.editTensor("roberta.embeddings.position_embeddings.weight") { $0.values[600 * 32] = 7 }
        let result = try Self.run(["verify", copy.path, "--length", "16"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("3a  position table         FAIL"))
        #expect(result.stdout.contains("first: row 600 (should equal original row 88)"))
        #expect(result.stdout.contains("FAIL: 1 of 9 checks failed (position table)"))
    }

    @Test func jsonReportCarriesStatusesAndExitCode() throws {
        let copy = try ConvertedCopy("tiny-lsg-1024")
        try copy.editJSON("tokenizer_config.json") { $0.set("model_max_length", .int(4096)) }
        let result = try Self.run(["verify", copy.path, "--json", "--length", "16"])
        #expect(result.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(report?["passed"] as? Bool == false)
        #expect(report?["exit_code"] as? Int == 1)
        let checks = report?["checks"] as? [[String: Any]] ?? []
        #expect(checks.map { $0["id"] as? String } == ["structure", "copied_weights", "position_table", "global_embeddings",
                                                      "config_tokenizer", "output_equivalence", "output_fidelity", "long_input",
                                                      "modeling_files"])
        #expect(checks.map { $0["status"] as? String } == ["pass", "pass", "pass", "pass", "fail", "pass", "pass", "skip", "pass"])
    }

    @Test(arguments: [
        ["verify", "/nonexistent/converted"],
        ["verify", "FIXTURE", "--against", "/nonexistent/original"],
        ["verify", "FIXTURE", "--min-cosine", "1.5"],
        ["verify", "FIXTURE", "--length", "zero"],
    ])
    func cannotRunExitsTwo(_ arguments: [String]) throws {
        let resolved = arguments.map { $0 == "FIXTURE" ? Fixtures.path("verify/tiny-lsg-1024") : $0 }
        let result = try Self.run(resolved)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("lsg-convert: error: "))
        #expect(result.stdout.isEmpty)
    }

    @Test func missingProvenanceWithoutAgainstExitsTwo() throws {
        let copy = try ConvertedCopy("tiny-lsg-1024")
        try FileManager.default.removeItem(at: copy.url.appendingPathComponent("lsg_conversion.json"))
        let result = try Self.run(["verify", copy.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no original model to compare with (no lsg_conversion.json beside the weights); pass --against ORIGINAL"))
        let withOriginal = try Self.run(["verify", copy.path, "--against", Fixtures.path("models/tiny-roberta-mlm"), "--length", "16"])
        #expect(withOriginal.status == 0)
    }
}

/// `convert` then `verify`: our own conversion passes every check, including at a length (1025) where
/// the reference's table comes out short.
@Suite struct ConvertThenVerifyTests {
    @Test(arguments: [["--max-len", "1025"],
                      ["--max-len", "700", "--architecture", "RobertaForTokenClassification", "--set", "num_labels=5", "--dtype", "bf16"]])
    func ownConversionPasses(_ options: [String]) throws {
        let directory = try TemporaryDirectory("lsg-convert-verify")
        let output = directory.url("out").path
        let converted = try CommandRunner.run(["convert", Fixtures.path("models/tiny-roberta-mlm"), "--output", output, "--no-verify"] + options)
        #expect(converted.exitCode == 0, "\(converted.stderr)")
        let verified = try CommandRunner.run(["verify", output, "--json", "--length", "16"])
        #expect(verified.exitCode == 0, "\(verified.stdout)")
        #expect(verified.stdout.contains("\"passed\": true"))
    }
}
