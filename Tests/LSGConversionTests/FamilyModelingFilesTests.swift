import Foundation
import LSGConversion
import ModelFamilies
import ModelingFiles
import Testing

/// Every family the converter knows has its modeling module built into the binary, with every module
/// it imports relatively, and each file declares the auto_map classes config.json names.
@Suite struct FamilyModelingFilesTests {
    @Test("each family's module is embedded, its relative imports resolve, and it defines the auto_map classes",
          arguments: ModelFamily.all.map(\.modelType))
    func familyModule(_ modelType: String) throws {
        let family = try #require(ModelFamily.forModelType(modelType))
        // modeling_lsg_bert.py is written separately (issue 12 item 5); until it is in modeling/,
        // BERT conversions are written without it (LSGConverter.plan warns) and this is a known issue.
        let pending = family == .bert && ModelingFileSet.embedded.file(module: family.modelingModule) == nil
        try withKnownIssue("modeling_lsg_bert.py is not in modeling/ yet (issue 12 item 5)") {
            try check(family)
        } when: { pending }
    }

    private func check(_ family: ModelFamily) throws {
        let files = try ModelingFileSet.embedded.closure(of: family.modelingModule)
        #expect(files.first?.name == family.modelingModule + ".py")
        // Every class auto_map names must exist in the module (defined or imported into it by name).
        let text = String(decoding: files[0].bytes, as: UTF8.self)
        for (_, value) in family.autoMap.objectValue ?? [] {
            let className = try #require(value.stringValue?.split(separator: ".").last.map(String.init))
            #expect(text.contains(className), "\(files[0].name) does not mention \(className)")
        }
    }
}
