import Foundation
import ModelingFiles
import TestSupport
import Testing

/// The files of `modeling/` as built into the binary, and how a family's module pulls in the
/// siblings it imports.
@Suite("modeling files")
struct ModelingFileSetTests {
    static let modelingFolder = Fixtures.root.appendingPathComponent("modeling")

    @Test("the embedded files are exactly modeling/*.py, byte for byte")
    func embeddedEqualsFolder() throws {
        let onDisk = try ModelingFileSet(folder: Self.modelingFolder)
        #expect(ModelingFileSet.embedded.files.map(\.name) == onDisk.files.map(\.name))
        for file in onDisk.files {
            let embedded = ModelingFileSet.embedded.file(module: file.moduleName)
            #expect(embedded?.bytes == file.bytes, "\(file.name): the embedded bytes differ from modeling/\(file.name) (rebuild)")
        }
    }

    static func set(_ files: [String: String]) -> ModelingFileSet {
        ModelingFileSet(files: files.map { ModelingFile(name: $0.key, bytes: Data($0.value.utf8)) })
    }

    @Test("relative imports: from .X import, from . import (A, B), nested, indented; absolute and parent imports ignored")
    func relativeImportForms() {
        let source = """
        import torch
        from transformers import PreTrainedModel
        from .modeling_lsg_roberta import (
            LSGRobertaModel,
        )
        try:
            from .helpers.sub import thing  # a submodule: the sibling is `helpers`
        except ImportError:
            pass
        from . import attention, pooling as pool
        from . import (
            masks,  # comment
            windows
        )
        from ..outside import nothing
        # from .commented import nothing
        fromage = 1
        from .modeling_lsg_roberta import LSGRobertaConfig
        """
        let file = ModelingFile(name: "m.py", bytes: Data(source.utf8))
        #expect(file.relativeImports == ["modeling_lsg_roberta", "helpers", "attention", "pooling", "masks", "windows"])
    }

    @Test("closure: the module first, then its imports recursively, each once; cycles end")
    func closureOrder() throws {
        let set = Self.set([
            "modeling_lsg_camembert.py": "from .modeling_lsg_roberta import LSGRobertaModel\nfrom .shared import x\n",
            "modeling_lsg_roberta.py": "from .shared import x\n",
            "shared.py": "from .modeling_lsg_roberta import y\n",
            "unrelated.py": "",
        ])
        #expect(try set.closure(of: "modeling_lsg_camembert").map(\.name) == ["modeling_lsg_camembert.py", "modeling_lsg_roberta.py", "shared.py"])
        #expect(try set.closure(of: "modeling_lsg_roberta").map(\.name) == ["modeling_lsg_roberta.py", "shared.py"])
    }

    @Test("closure errors: unknown module, missing sibling, override with another name")
    func closureErrors() throws {
        let set = Self.set(["modeling_lsg_roberta.py": "from .gone import x\n", "ok.py": ""])
        #expect(throws: ModelingFileError.self) { try set.closure(of: "modeling_lsg_bert") }
        do {
            _ = try set.closure(of: "modeling_lsg_roberta")
            Issue.record("a missing sibling must be refused")
        } catch let error as ModelingFileError {
            #expect(error.kind == .importNotEmbedded)
            #expect(error.description.contains("imports .gone"))
        }
        let renamed = ModelingFile(name: "my_model.py", bytes: Data())
        #expect(throws: ModelingFileError(.wrongFileName, "my_model.py", "must be named ok.py (the module config.json's auto_map names)")) {
            try set.closure(of: "ok", override: renamed)
        }
    }

    @Test("an override replaces the module's own file and keeps its embedded siblings")
    func overrideKeepsSiblings() throws {
        let set = Self.set(["modeling_lsg_roberta.py": "ours\n", "shared.py": "x = 1\n"])
        let override = ModelingFile(name: "modeling_lsg_roberta.py", bytes: Data("from .shared import x\n".utf8))
        let files = try set.closure(of: "modeling_lsg_roberta", override: override)
        #expect(files.map(\.bytes) == [override.bytes, Data("x = 1\n".utf8)])
    }
}
