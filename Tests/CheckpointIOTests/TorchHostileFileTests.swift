import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// Hand-built hostile and corrupt torch files (fixtures/torch/hostile/): each is refused with one
/// clear `CheckpointError`, and nothing in them is ever executed.
@Suite(.serialized) struct TorchHostileFileTests {
    private func zipError(_ name: String) throws -> CheckpointError {
        try #require(throws: CheckpointError.self) { try TorchZipFile(path: TorchFixtures.path("hostile/\(name)")) }
    }

    @Test func osSystemIsRefusedAndNothingRuns() throws {
        // The pickle would run `touch <marker>` under pickle.loads.
        let marker = TorchFixtures.pwnedMarker
        try? FileManager.default.removeItem(atPath: marker)
        let error = try zipError("os_system.pt")
        #expect(error.kind == .forbidden)
        #expect(error.message.contains("`os.system`"))
        #expect(error.description.contains("os_system.pt"))
        #expect(!FileManager.default.fileExists(atPath: marker))
        // The offset points at the GLOBAL opcode in the file.
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TorchFixtures.path("hostile/os_system.pt")))
        let offset = try #require(error.offset)
        #expect(bytes[offset] == UInt8(ascii: "c"))
    }

    @Test func evalHiddenInAStateDictIsRefused() throws {
        let error = try zipError("builtins_eval.pt")
        #expect(error.kind == .forbidden)
        #expect(error.message.contains("`builtins.eval`"))
    }

    @Test func popenInALegacyStreamIsRefused() throws {
        let error = try #require(throws: CheckpointError.self) {
            try TorchLegacyFile(path: TorchFixtures.path("hostile/subprocess_popen_legacy.bin"))
        }
        #expect(error.kind == .forbidden)
        #expect(error.message.contains("`subprocess.Popen`"))
    }

    @Test func unknownOpcodeIsReportedAtItsFileOffset() throws {
        let error = try zipError("unknown_opcode.pt")
        #expect(error.kind == .malformed)
        #expect(error.message.contains("0xFF"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: TorchFixtures.path("hostile/unknown_opcode.pt")))
        #expect(bytes[try #require(error.offset)] == 0xFF)
    }

    @Test(arguments: ["memo_out_of_range.pt", "long_memo_out_of_range.pt"])
    func memoOutOfRange(name: String) throws {
        let error = try zipError(name)
        #expect(error.kind == .malformed)
        #expect(error.message.contains("memo key"))
    }

    @Test func hugeStringLengthIsRefusedBeforeAllocating() throws {
        let error = try zipError("huge_binunicode.pt")
        #expect(error.kind == .truncated)
        #expect(error.message.contains("2147483647"))
    }

    @Test(arguments: ["deep_lists.pt", "deep_tuples.pt"])
    func deepNestingIsRefused(name: String) throws {
        // 100 000 levels, in a deflated data.pkl.
        let error = try zipError(name)
        #expect(error.kind == .forbidden)
        #expect(error.message.contains("deeper than"))
    }

    @Test func stackUnderflow() throws {
        #expect(try zipError("stack_underflow.pt").kind == .malformed)
    }

    @Test func dataPklMustBeUnique() throws {
        #expect(try zipError("no_data_pkl.pt").message.contains("no `data.pkl`"))
        #expect(try zipError("two_data_pkl.pt").message.contains("2 `data.pkl`"))
    }

    @Test func bigEndianArchiveIsUnsupported() throws {
        #expect(try zipError("big_endian.pt").kind == .unsupported)
    }

    @Test func storageBoundsAreChecked() throws {
        let outside = try zipError("storage_out_of_bounds.pt")
        #expect(outside.kind == .inconsistent)
        #expect(outside.tensor == "w")
        #expect(try zipError("storage_size_mismatch.pt").kind == .inconsistent)
    }

    @Test func preTarFormatIsUnsupported() throws {
        let error = try #require(throws: CheckpointError.self) { try TorchLegacyFile(path: TorchFixtures.path("hostile/pre_0_4_tar.pt")) }
        #expect(error.kind == .unsupported)
        #expect(error.message.contains("tar"))
    }

    @Test func zipReaderRejectsLegacyFilesAndViceVersa() throws {
        #expect(throws: CheckpointError.self) { try TorchZipFile(path: TorchFixtures.path("roberta_legacy.bin")) }
        #expect(throws: CheckpointError.self) { try TorchLegacyFile(path: TorchFixtures.path("roberta.pt")) }
    }
}
