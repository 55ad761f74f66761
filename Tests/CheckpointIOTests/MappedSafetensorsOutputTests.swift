import CheckpointIO
import Foundation
import Testing
import TestSupport

/// `infer` writes MLM outputs through ``MappedSafetensorsOutput`` (issue 14): the file must be
/// byte-identical to what ``SafetensorsWriter`` writes for the same tensors, and as atomic.
@Suite struct MappedSafetensorsOutputTests {
    static let infos = [
        TensorInfo(name: "logits", dtype: .f32, shape: [1, 3, 5]),
        TensorInfo(name: "last_hidden_state", dtype: .f32, shape: [1, 3, 2]),
    ]
    static func values(_ info: TensorInfo) -> [Float] { (0..<info.elementCount).map { Float($0) * 0.25 - Float(info.name.count) } }

    @Test func sameBytesAsTheStreamingWriter() throws {
        let dir = try TemporaryDirectory("mapped-out")
        try SafetensorsWriter.write(Self.infos.map { SafetensorsWriter.Entry(name: $0.name, shape: $0.shape, floats: Self.values($0)) },
                                    to: dir.url("streamed.safetensors").path)
        let mapped = try MappedSafetensorsOutput(path: dir.url("mapped.safetensors").path, infos: Self.infos)
        for info in Self.infos {
            let target = try #require(mapped.bytes(of: info.name))
            #expect(target.count == info.byteCount)
            #expect(Int(bitPattern: target.baseAddress!) % 8 == 0)
            Self.values(info).withUnsafeBytes { target.copyMemory(from: $0) }
        }
        #expect(mapped.bytes(of: "missing") == nil)
        try mapped.commit()
        let streamed = try Data(contentsOf: dir.url("streamed.safetensors"))
        let written = try Data(contentsOf: dir.url("mapped.safetensors"))
        #expect(written == streamed)
        let reread = try SafetensorsFile(path: dir.url("mapped.safetensors").path)
        #expect(try reread.tensor(named: "logits").floats() == Self.values(Self.infos[0]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["mapped.safetensors", "streamed.safetensors"])
    }

    @Test func droppedWithoutCommitLeavesNothingAndExistingFilesNeedOverwrite() throws {
        let dir = try TemporaryDirectory("mapped-out")
        let path = dir.url("out.safetensors").path
        do { _ = try MappedSafetensorsOutput(path: path, infos: Self.infos) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        try Data("old".utf8).write(to: dir.url("out.safetensors"))
        #expect(throws: CheckpointError.self) { _ = try MappedSafetensorsOutput(path: path, infos: Self.infos) }
        let replaced = try MappedSafetensorsOutput(path: path, infos: Self.infos, overwrite: true)
        try replaced.commit()
        #expect(try Data(contentsOf: dir.url("out.safetensors")).count > 3)
        #expect(throws: CheckpointError.self) {
            _ = try MappedSafetensorsOutput(path: path, infos: [Self.infos[0], Self.infos[0]], overwrite: true)
        }
    }
}
