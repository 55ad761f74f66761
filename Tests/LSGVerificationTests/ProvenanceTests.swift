import CheckpointIO
import Foundation
import Testing
@testable import LSGVerification

@Suite struct ProvenanceTests {
    @Test func defaultsWhenOptionsAreAbsent() throws {
        let provenance = try Provenance(document: JSONParser.parse(#"{"source": {"path": "../roberta"}}"#), file: "p.json")
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
        let provenance = try Provenance(document: JSONParser.parse(text), file: "p.json")
        #expect(provenance.maxLength == 4096)
        #expect(provenance.globalPositionalStride == 32)
        #expect(provenance.randomGlobalInit)
        #expect(provenance.dtype == "bf16")
        #expect(provenance.sourceName == "roberta-base")
        #expect(Set(provenance.overriddenConfigKeys) == ["num_labels", "is_decoder"])
        #expect(provenance.sourceURL(relativeTo: URL(fileURLWithPath: "/x"))?.path == "/abs/src")
    }

    @Test func wrongTypesAreRejected() {
        #expect(throws: VerificationError.badProvenance(file: "p.json", reason: "`global_positional_stride` is not an integer")) {
            try Provenance(document: JSONParser.parse(#"{"options": {"global_positional_stride": "64"}}"#), file: "p.json")
        }
        #expect(throws: VerificationError.badProvenance(file: "p.json", reason: "not a JSON object")) {
            try Provenance(document: JSONParser.parse("[1]"), file: "p.json")
        }
    }
}
