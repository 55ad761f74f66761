import CheckpointIO
import ModelFamilies
import Testing
import TestSupport

/// The family table against the reference's own tables and classes
/// (fixtures/families/reference_tables.json, fixtures/make_family_fixtures.py).
@Suite struct ReferenceTableTests {
    static let tables: JSONValue = try! ModelFolder.readJSON(Fixtures.url("families/reference_tables.json"))

    @Test("every family the registry lists is recorded", arguments: ModelFamily.all.map(\.modelType))
    func familyMatchesReference(_ modelType: String) throws {
        let family = try #require(ModelFamily.forModelType(modelType))
        let table = try #require(Self.tables[modelType])
        let accepted = Set(table["accepted"]!.arrayValue!.compactMap(\.stringValue))
        #expect(Set(family.acceptedClassNames) == accepted)
        #expect(family.className(family.defaultHead) == table["default"]?.stringValue)
        #expect(family.className(.model) == table["base"]?.stringValue)
        #expect(family.positionOffset == table["positional_offset"]?.intValue)
        #expect(family.positionOffset == table["config_positional_offset"]?.intValue)
        #expect(family.modelingModule == table["modeling_module"]?.stringValue)
        var autoMap = family.autoMap
        autoMap.remove("AutoConfig")
        #expect(autoMap.sortedKeys() == table["auto_map"]!.sortedKeys())
    }

    /// For every LSG class: the tensors outside the encoder layers of a real instance are exactly the
    /// embeddings, the pooler when the table says so, the head tensors and the tied copies.
    @Test("head tensors, pooler, tied copies and can_generate per class", arguments: ModelFamily.all.map(\.modelType))
    func classesMatchReference(_ modelType: String) throws {
        let family = try #require(ModelFamily.forModelType(modelType))
        let classes = try #require(Self.tables[modelType]?["classes"]?.objectValue)
        #expect(classes.count == family.heads.count)
        for (lsgName, entry) in classes {
            let architecture = try #require(ModelArchitecture(className: lsgName, family: family), "\(lsgName)")
            let task = architecture.task
            #expect(family.lsgClassName(task) == lsgName)
            let prefix = family.backbonePrefix(task)
            var expected: [String: [Int]] = [:]
            for name in ["word_embeddings.weight", "position_embeddings.weight", "token_type_embeddings.weight",
                         "global_embeddings.weight", "LayerNorm.weight", "LayerNorm.bias"] {
                expected[prefix + "embeddings." + name] = entry["tensors"]?[prefix + "embeddings." + name]?.arrayValue?.compactMap(\.intValue)
            }
            if family.hasPooler(task) {
                for t in ModelFamily.poolerTensors(hidden: 8) { expected[prefix + t.name] = t.shape }
            }
            for t in family.headTensors(task, hidden: 8, vocab: 11, numLabels: 2) { expected[t.name] = t.shape }
            for tied in family.tiedTensors(task) {
                expected[tied.name] = tied.duplicates.hasPrefix("embeddings.") ? [11, 8] : [11]
            }
            var actual: [String: [Int]] = [:]
            for (name, shape) in entry["tensors"]!.objectValue! where !name.contains("position_ids") && !name.hasSuffix("token_type_ids") {
                actual[name] = shape.arrayValue!.compactMap(\.intValue)
            }
            #expect(actual == expected, "\(lsgName)")
            #expect(family.head(task)?.canGenerate == entry["can_generate"]?.boolValue, "\(lsgName) can_generate")
        }
    }
}
