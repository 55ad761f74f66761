import CheckpointIO
import Foundation
import LSGRuntime
import ModelFamilies
import TestSupport

/// One forward pass recorded from the real reference by fixtures/make_runtime_fixtures.py (RoBERTa,
/// `runtime/`) or fixtures/make_bert_runtime_fixtures.py (BERT, `bert-runtime/`).
struct ReferenceCase: CustomStringConvertible {
    let name: String
    let file: SafetensorsFile
    /// The fixture folder (`runtime`, `bert-runtime`).
    let root: String
    /// Model folder under the root.
    let model: String
    let head: TaskHead
    let overrides: [String: JSONValue]

    static let directory = Fixtures.path("runtime/cases")

    /// Every case file name (without extension), sorted.
    static var names: [String] { names(root: "runtime") }

    /// Every case of a fixture folder.
    static func names(root: String) -> [String] {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Fixtures.path("\(root)/cases"))) ?? []
        return files.filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(12)) }.sorted()
    }

    init(_ name: String, root: String = "runtime") throws {
        self.name = name
        self.root = root
        file = try SafetensorsFile(path: Fixtures.path("\(root)/cases/\(name).safetensors"))
        model = file.metadata["model"] ?? ""
        if let className = file.metadata["class"] {
            guard let task = ModelArchitecture(className: className)?.task else { throw RuntimeError.unsupported("class \(className)") }
            head = task
        } else {
            let headName = file.metadata["head"] ?? "MaskedLM"
            head = headName == "Base" ? .model : ModelArchitecture(className: "RobertaFor" + headName)!.task
        }
        let json = try JSONParser.parse(file.metadata["overrides"] ?? "{}")
        overrides = Dictionary(uniqueKeysWithValues: json.objectValue ?? [])
    }

    var description: String { name }

    func int64s(_ tensor: String) throws -> (values: [Int64], shape: [Int]) {
        let data = try file.tensor(named: tensor)
        return (data.int64s()!, data.info.shape)
    }

    func floats(_ tensor: String) throws -> (values: [Float], shape: [Int])? {
        guard file.info(named: tensor) != nil else { return nil }
        let data = try file.tensor(named: tensor)
        return (data.floats(), data.info.shape)
    }

    /// The recorded `torch.randn` draws, `[heads, headDim, hashes]` each, in call order.
    func lshProjections() throws -> [[Float]] {
        var out: [[Float]] = []
        while let p = try floats("lsh_projection.\(out.count)") { out.append(p.values) }
        return out
    }

    /// Loads the model folder with the case's overrides and its extra head weights.
    func loadModel() throws -> RuntimeModel {
        try RuntimeModel(folder: Fixtures.path("\(root)/\(model)"), overrides: overrides, head: head, extraSources: [file])
    }
}

/// Largest absolute difference.
func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var m: Float = 0
    for i in 0..<a.count { m = max(m, abs(a[i] - b[i])) }
    return m
}
