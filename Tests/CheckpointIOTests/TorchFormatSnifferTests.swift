import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

@Suite struct TorchFormatSnifferTests {
    private func prefix(_ fixture: String) throws -> [UInt8] {
        let data = try Data(contentsOf: URL(fileURLWithPath: TorchFixtures.path(fixture)))
        return Array(data.prefix(TorchFormatSniffer.prefixLength))
    }

    @Test func recognisesEachFormatByContent() throws {
        // Names say nothing: sharded shards are zips named `.bin`, legacy files `.bin`, tar `.pt`.
        let cases: [(String, zip: Bool, legacy: Bool, tar: Bool)] = [
            ("roberta.pt", true, false, false),
            ("sharded/pytorch_model-00001-of-00002.bin", true, false, false),
            ("roberta_legacy.bin", false, true, false),
            ("views_legacy.bin", false, true, false),
            ("hostile/pre_0_4_tar.pt", false, false, true),
        ]
        for (fixture, zip, legacy, tar) in cases {
            let bytes = try prefix(fixture)
            bytes.withUnsafeBytes { raw in
                #expect(TorchFormatSniffer.isZip(raw) == zip, "\(fixture)")
                #expect(TorchFormatSniffer.isLegacy(raw) == legacy, "\(fixture)")
                #expect(TorchFormatSniffer.isLegacyTar(raw) == tar, "\(fixture)")
            }
        }
    }

    @Test func shortAndForeignPrefixesAreNothing() {
        for bytes: [UInt8] in [[], [0x50, 0x4B], [0x80, 0x02, 0x8A], Array("{\"a\":1}".utf8), [0x50, 0x4B, 0x05, 0x06]] {
            bytes.withUnsafeBytes { raw in
                #expect(!TorchFormatSniffer.isZip(raw))
                #expect(!TorchFormatSniffer.isLegacy(raw))
                #expect(!TorchFormatSniffer.isLegacyTar(raw))
            }
        }
    }
}
