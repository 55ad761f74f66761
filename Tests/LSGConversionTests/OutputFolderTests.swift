import CheckpointIO
import Foundation
import LSGConversion
import Testing
import TestSupport

/// The output folder appears complete or not at all; existing folders are protected unless forced.
@Suite("Output folder atomicity")
struct OutputFolderTests {
    func options() -> ConversionOptions {
        var options = ConversionOptions()
        options.maxLength = 1024
        return options
    }

    @Test("an existing non-empty folder is refused without --force and left untouched")
    func refusesExisting() throws {
        let temp = try TemporaryDirectory("lsg-out")
        let output = temp.url("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: output.appendingPathComponent("notes.txt"))
        let error = try #require(throws: ConversionError.self) {
            _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options(), to: output)
        }
        #expect(error.kind == .outputExists)
        #expect(error.description.contains("--force"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: output.path) == ["notes.txt"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == ["out"])
    }

    @Test("an empty existing folder is used; --force replaces a non-empty one")
    func forceReplaces() throws {
        let temp = try TemporaryDirectory("lsg-out")
        let output = temp.url("out")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options(), to: output)
        try Data("old".utf8).write(to: output.appendingPathComponent("stale.txt"))
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options(), to: output, force: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path)
        #expect(!files.contains("stale.txt"))
        #expect(files.contains("model.safetensors"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == ["out"])
    }

    @Test("a failure while writing leaves neither the output nor a temporary folder")
    func failureCleansUp() throws {
        let temp = try TemporaryDirectory("lsg-out")
        let model = try ModelFolder(url: ConversionFixtures.source("tiny-mlm"))
        let source = FailingSource(base: try model.openWeights(), failing: "roberta.encoder.layer.1.output.dense.weight")
        var converter = LSGConverter(folder: model, source: source, options: options())
        converter.hashSource = false
        let plan = try converter.plan()
        #expect(throws: CheckpointError.self) { try converter.convert(plan: plan, to: temp.url("out"), force: false) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }

    @Test("an interrupt stops at the next tensor and cleans up; a forced run keeps the old folder on failure")
    func interruptKeepsOldOutput() throws {
        let temp = try TemporaryDirectory("lsg-out")
        let output = temp.url("out")
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options(), to: output)
        let before = try Data(contentsOf: output.appendingPathComponent("model.safetensors"))
        let model = try ModelFolder(url: ConversionFixtures.source("tiny-model"))
        var converter = LSGConverter(folder: model, source: try model.openWeights(), options: options())
        converter.hashSource = false
        converter.isInterrupted = { true }
        let plan = try converter.plan()
        let error = try #require(throws: ConversionError.self) { try converter.convert(plan: plan, to: output, force: true) }
        #expect(error.kind == .interrupted)
        #expect(try Data(contentsOf: output.appendingPathComponent("model.safetensors")) == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == ["out"])
    }

    @Test("stale temporary folders of dead processes do not block and are removed")
    func staleTemporary() throws {
        let temp = try TemporaryDirectory("lsg-out")
        // A pid that no longer runs: a finished child process.
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/true")
        try child.run()
        child.waitUntilExit()
        let stale = temp.url(".out.tmp-\(child.processIdentifier)")
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: stale.appendingPathComponent("model.safetensors"))
        _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options(), to: temp.url("out"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path) == ["out"])
    }

    @Test("--force never replaces the source folder or a folder containing it")
    func sourceProtected() throws {
        let temp = try TemporaryDirectory("lsg-out")
        let source = temp.url("models/tiny")
        try FileManager.default.createDirectory(at: temp.url("models"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: ConversionFixtures.source("tiny-mlm"), to: source)
        for destination in [source, temp.url("models")] {
            let error = try #require(throws: ConversionError.self) {
                _ = try ConversionFixtures.convert(source, options: options(), to: destination, force: true)
            }
            #expect(error.kind == .outputExists)
        }
        #expect(FileManager.default.fileExists(atPath: source.appendingPathComponent("model.safetensors").path))
    }

    @Test("an output path that is a file is refused")
    func fileAtDestination() throws {
        let temp = try TemporaryDirectory("lsg-out")
        try Data("x".utf8).write(to: temp.url("out"))
        let error = try #require(throws: ConversionError.self) {
            _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options(), to: temp.url("out"), force: true)
        }
        #expect(error.kind == .outputExists)
    }
}

/// A source that fails on one tensor, to simulate a read error in the middle of a conversion.
final class FailingSource: TensorSource, @unchecked Sendable {
    let base: any TensorSource
    let failing: String
    init(base: any TensorSource, failing: String) { self.base = base; self.failing = failing }
    var format: CheckpointFormat { base.format }
    var tensorInfos: [TensorInfo] { base.tensorInfos }
    var metadata: [String: String] { base.metadata }
    func tensor(named name: String) throws -> TensorData {
        if name == failing { throw CheckpointError(.truncated, file: "test", tensor: name, "simulated read failure") }
        return try base.tensor(named: name)
    }
}
