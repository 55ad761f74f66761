import CheckpointIO
import Foundation
import LSGConversion
import Testing
import TestSupport

/// The same weights as torch zip and legacy `pytorch_model.bin` must convert to exactly the
/// reference's tensors (the zip keeps the tied `lm_head.decoder.*`, the legacy file a persisted
/// `position_ids` buffer: both are dropped).
@Suite("PyTorch sources convert like the reference")
struct TorchSourceTests {
    @Test("zip and legacy sources", arguments: ["tiny-mlm-zip", "tiny-mlm-legacy"])
    func torchSource(_ folder: String) throws {
        let digest = try ConversionFixtures.digest("mlm-4096")
        let temp = try TemporaryDirectory("lsg-torch")
        let plan = try ConversionFixtures.convert(ConversionFixtures.source(folder), options: ConversionFixtures.options(for: digest),
                                                  to: temp.url("out"))
        try ReferenceDigestTests.compare(output: temp.url("out"), with: digest)
        let dropped = Set(plan.dropped.map(\.name))
        if folder == "tiny-mlm-legacy" { #expect(dropped.contains("roberta.embeddings.position_ids")) }
        #expect(dropped.isSuperset(of: ["lm_head.decoder.weight", "lm_head.decoder.bias"]))
    }
}
