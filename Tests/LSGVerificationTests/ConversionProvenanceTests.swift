import CheckpointIO
import Foundation
import Testing
@testable import LSGVerification

@Suite struct ConversionProvenanceTests {
    @Test func defaultsWhenOptionsAreAbsent() throws {
        let provenance = try ConversionProvenance(document: JSONParser.parse(#"{"source": {"path": "../roberta"}}"#), file: "p.json")
        #expect(provenance.globalPositionalStride == 64)
        #expect(provenance.randomGlobalInit == false)
        #expect(provenance.maxLength == nil)
        let folder = URL(fileURLWithPath: "/models/out")
        #expect(provenance.sourceURL(relativeTo: folder)?.path == "/models/roberta")
    }

    @Test func optionsInSnakeOrCamelCaseAndOverriddenKeys() throws {
        let text = #"""
        {"source": {"path": "/abs/src", "name": "roberta-base"},
         "options": {"maxLength": 4096, "global_positional_stride": 32, "randomGlobalInit": true, "dtype": "bf16",
                     "set": ["num_labels=3"], "model_kwargs": {"is_decoder": true}}}
        """#
        let provenance = try ConversionProvenance(document: JSONParser.parse(text), file: "p.json")
        #expect(provenance.maxLength == 4096)
        #expect(provenance.globalPositionalStride == 32)
        #expect(provenance.randomGlobalInit)
        #expect(provenance.dtype == "bf16")
        #expect(provenance.sourceName == "roberta-base")
        #expect(Set(provenance.overriddenConfigKeys) == ["num_labels", "is_decoder"])
        #expect(provenance.sourceURL(relativeTo: URL(fileURLWithPath: "/x"))?.path == "/abs/src")
    }

    /// The record `lsg-convert convert` writes (LSGConversion/Provenance.swift on the conv branch).
    @Test func readsTheConvertCommandsRecord() throws {
        let text = #"""
        {"tool": "lsg-convert", "tool_version": "0.1.0",
         "source": {"path": "/models/roberta", "revision": null, "format": "safetensors", "is_lsg": false,
                    "weights": [{"file": "model.safetensors", "bytes": 10, "sha256": "00"}]},
         "options": {"max_len": 1025, "architecture": "LSGRobertaForMaskedLM", "global_positional_stride": 16,
                     "random_global_init": false, "keep_first_global_token": false, "resize_lsg": false,
                     "dtype": "keep", "seed": 123, "set": {"num_labels": 5}}}
        """#
        let provenance = try ConversionProvenance(document: JSONParser.parse(text), file: "p.json")
        #expect(provenance.maxLength == 1025)
        #expect(provenance.globalPositionalStride == 16)
        #expect(provenance.dtype == "keep")
        #expect(provenance.overriddenConfigKeys == ["num_labels"])
        #expect(provenance.sourceURL(relativeTo: URL(fileURLWithPath: "/out"))?.path == "/models/roberta")
    }

    @Test func wrongTypesAreRejected() {
        #expect(throws: VerificationError.badProvenance(file: "p.json", reason: "`global_positional_stride` is not an integer")) {
            try ConversionProvenance(document: JSONParser.parse(#"{"options": {"global_positional_stride": "64"}}"#), file: "p.json")
        }
        #expect(throws: VerificationError.badProvenance(file: "p.json", reason: "not a JSON object")) {
            try ConversionProvenance(document: JSONParser.parse("[1]"), file: "p.json")
        }
    }
}
