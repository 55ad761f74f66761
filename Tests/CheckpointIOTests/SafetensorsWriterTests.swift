import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

@Suite struct SafetensorsWriterTests {
    /// Rewriting the tensors of a file Python's `safetensors.torch.save_file` wrote gives the same bytes:
    /// same order (alignment, then name), same compact header, same space padding.
    @Test(arguments: ["tiny-f32", "tiny-bf16", "buffers"])
    func rewriteIsByteIdenticalToPython(_ name: String) throws {
        let path = Fixtures.path("safetensors/\(name).safetensors")
        let source = try SafetensorsFile(path: path)
        let dir = try TemporaryDirectory()
        let out = dir.url("out.safetensors").path
        let entries = try source.tensorInfos.map { SafetensorsWriter.Entry(data: try source.tensor(named: $0.name)) }
        try SafetensorsWriter.write(entries, to: out, metadata: source.metadata)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let rewritten = try Data(contentsOf: URL(fileURLWithPath: out))
        #expect(original == rewritten)
    }

    @Test func headerIsPaddedToEightBytesAndDataAligned() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url("a.safetensors").path
        try SafetensorsWriter.write([
            .init(name: "b", shape: [3], floats: [1, 2, 3]),
            .init(info: TensorInfo(name: "a", dtype: .bf16, shape: [1])) { try $0.write(contentsOf: [UInt16(0x3F80)]) },
        ], to: out)
        let file = try SafetensorsFile(path: out)
        #expect(file.header.dataStart % 8 == 0)
        #expect(file.tensorNames == ["b", "a"])  // F32 before BF16
        #expect(try file.tensor(named: "b").floats() == [1, 2, 3])
        #expect(try file.tensor(named: "a").floats() == [1])
        #expect(file.metadata == ["format": "pt"])
    }

    @Test func wrongByteCountFailsAndLeavesNothing() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url("bad.safetensors").path
        #expect(throws: CheckpointError.self) {
            try SafetensorsWriter.write([.init(info: TensorInfo(name: "x", dtype: .f32, shape: [2])) { try $0.write(contentsOf: [Float(1)]) }], to: out)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    @Test func existingFileIsNotOverwrittenWithoutPermission() throws {
        let dir = try TemporaryDirectory()
        let out = dir.url("x.safetensors").path
        try Data("keep".utf8).write(to: URL(fileURLWithPath: out))
        #expect(throws: CheckpointError.self) { try SafetensorsWriter.write([.init(name: "x", shape: [1], floats: [1])], to: out) }
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "keep")
        try SafetensorsWriter.write([.init(name: "x", shape: [1], floats: [1])], to: out, overwrite: true)
        #expect(try SafetensorsFile(path: out).tensor(named: "x").floats() == [1])
    }

    @Test func duplicateNamesAreRejected() throws {
        let dir = try TemporaryDirectory()
        #expect(throws: CheckpointError.self) {
            try SafetensorsWriter.write([.init(name: "x", shape: [1], floats: [1]), .init(name: "x", shape: [1], floats: [2])], to: dir.url("d").path)
        }
    }
}
