import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

@Suite struct JSONTests {
    @Test func floatsPrintLikePythonRepr() {
        let cases: [(Double, String)] = [
            (1e-05, "1e-05"), (1e-12, "1e-12"), (0.02, "0.02"), (0.1, "0.1"), (1.0, "1.0"), (0.0001, "0.0001"),
            (123456.5, "123456.5"), (1e16, "1e+16"), (1.5e300, "1.5e+300"), (-2.5, "-2.5"), (0.0, "0.0"),
            (1e15, "1000000000000000.0"), (3.0e-5, "3e-05"), (12345678901234567890.0, "1.2345678901234567e+19"),
        ]
        for (value, text) in cases { #expect(JSONValue.pythonRepr(value) == text, "\(value)") }
    }

    /// transformers writes config.json as json.dumps(indent=2, sort_keys=True) + "\n".
    @Test func configRoundTripsByteForByte() throws {
        let url = Fixtures.url("models/tiny-roberta-mlm/config.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let value = try JSONParser.parse(text)
        #expect(value.sortedKeys().serialized() + "\n" == text)
    }

    @Test func parserKeepsIntegersExactAndOrder() throws {
        let value = try JSONParser.parse(#"{"b": 9007199254740993, "a": [1.5, -0, "xé\u00e9\ud83d\ude00"], "c": null}"#)
        #expect(value.objectValue?.map(\.0) == ["b", "a", "c"])
        #expect(value["b"] == .int(9_007_199_254_740_993))
        #expect(value["a"]?.arrayValue?[2].stringValue == "xéé😀")
        #expect(value.serialized(indent: nil, asciiOnly: true) == #"{"b": 9007199254740993, "a": [1.5, 0, "x\u00e9\u00e9\ud83d\ude00"], "c": null}"#)
    }

    /// Keys are distinct when their bytes differ (serde's rule), even if canonically equivalent.
    @Test func parserKeepsCanonicallyEquivalentKeysApart() throws {
        let value = try JSONParser.parse("{\"caf\u{e9}\": 1, \"cafe\u{301}\": 2}")
        #expect(value.objectValue?.map { Array($0.0.unicodeScalars).count } == [4, 5])
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(#"{"a": 1, "a": 2}"#) }
    }

    @Test func parserRejectsBadDocuments() {
        for text in ["", "{", #"{"a":1,}"#, "[1 2]", #"{"a":1}x"#, "01x", #""\x""#, String(repeating: "[", count: 600)] {
            #expect(throws: JSONParser.Failure.self, "\(text.prefix(20))") { try JSONParser.parse(text) }
        }
    }
}
