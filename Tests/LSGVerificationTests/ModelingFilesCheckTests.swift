import CheckpointIO
import Foundation
import ModelingFiles
import Testing
import TestSupport
@testable import LSGVerification

/// Check 6: every module `auto_map` names (and its relative imports) is lsg-convert's current file.
@Suite struct ModelingFilesCheckTests {
    static func check(_ copy: ConvertedCopy, expected: ModelingFileSet = .embedded) throws -> CheckResult {
        ModelingFilesCheck.run(folder: copy.url, config: try ModelFolder.readJSON(copy.url.appendingPathComponent("config.json")),
                               expected: expected)
    }

    @Test("ours and current passes; the reference's file is foreign; an older one of ours is stale")
    func currentForeignStale() throws {
        let copy = try ConvertedCopy("tiny-lsg-1024")
        let current = try Self.check(copy)
        #expect(current.status == .passed, "\(current.problems)")
        #expect(current.figure == "1/1 current")

        let target = copy.url.appendingPathComponent("modeling_lsg_roberta.py")
        // What lsg-converter 0.1.9's file starts with (its module docstring names no lsg-convert).
        try Data("# coding=utf-8\nfrom transformers.models.roberta.modeling_roberta import *\n".utf8).write(to: target)
        let foreign = try Self.check(copy)
        #expect(foreign.status == .failed)
        #expect(foreign.problems.first?.hasPrefix("modeling_lsg_roberta.py: foreign (not lsg-convert's") == true, "\(foreign.problems)")
        #expect(foreign.problems.first?.contains("lsg-convert upgrade \(copy.url.path) --in-place") == true)

        var older = try #require(ModelingFileSet.embedded.file(module: "modeling_lsg_roberta")).bytes
        older.append(contentsOf: Data("\n# a later edit\n".utf8))
        try older.write(to: target)
        let stale = try Self.check(copy)
        #expect(stale.problems.first?.hasPrefix("modeling_lsg_roberta.py: stale") == true, "\(stale.problems)")

        try FileManager.default.removeItem(at: target)
        #expect(try Self.check(copy).problems.first?.hasPrefix("modeling_lsg_roberta.py: missing") == true)
    }

    @Test("a relative import of the module must be present and current too")
    func siblings() throws {
        let copy = try ConvertedCopy("tiny-lsg-1024", withModelingFiles: false)
        let expected = ModelingFileSet(files: [
            ModelingFile(name: "modeling_lsg_roberta.py", bytes: Data("# written by lsg-convert\nfrom .lsg_attention import x\n".utf8)),
            ModelingFile(name: "lsg_attention.py", bytes: Data("# written by lsg-convert\nx = 1\n".utf8)),
        ])
        try Data("# written by lsg-convert, an older version\n".utf8).write(to: copy.url.appendingPathComponent("modeling_lsg_roberta.py"))
        let result = try Self.check(copy, expected: expected)
        #expect(result.figure == "0/2 current")
        #expect(result.problems.count == 2)
        #expect(result.problems[0].hasPrefix("modeling_lsg_roberta.py: stale"))
        #expect(result.problems[1].hasPrefix("lsg_attention.py: missing"))
        for file in expected.files { try file.bytes.write(to: copy.url.appendingPathComponent(file.name)) }
        #expect(try Self.check(copy, expected: expected).status == .passed)
    }

    @Test("auto_map naming another module, another hub repository, or nothing")
    func autoMapProblems() throws {
        let copy = try ConvertedCopy("tiny-lsg-1024")
        try copy.editJSON("config.json") { config in
            var autoMap = config["auto_map"]!
            autoMap.set("AutoModel", .string("ccdv/lsg-base-4096--modeling_lsg_roberta.LSGRobertaModel"))
            autoMap.set("AutoModelForMaskedLM", .string("my_modeling.LSGRobertaForMaskedLM"))
            autoMap.set("AutoTokenizer", .array([.string("tokenization_x.SlowTokenizer"), .null]))
            config.set("auto_map", autoMap)
        }
        let result = try Self.check(copy)
        #expect(result.status == .failed)
        #expect(result.problems.contains { $0.hasPrefix("auto_map.AutoModel = ccdv/lsg-base-4096--modeling_lsg_roberta.LSGRobertaModel: the code is fetched from another hub repository") })
        #expect(result.problems.contains { $0.hasPrefix("my_modeling.py: missing (auto_map names my_modeling, which is not one of lsg-convert's modeling files") })
        #expect(result.problems.count == 2)
        #expect(result.notes == ["auto_map entries not checked (not model classes): AutoTokenizer"])

        try copy.editJSON("config.json") { $0.remove("auto_map") }
        #expect(try Self.check(copy).problems == ["config.json: no auto_map (run `lsg-convert upgrade \(copy.url.path) --in-place` (or --output DIR) to write the current ones)"])
    }
}
