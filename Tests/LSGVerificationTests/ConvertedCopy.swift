import CheckpointIO
import Foundation
import ModelingFiles
import TestSupport

/// A temporary copy of a committed converted fixture that a test can damage: tensors and JSON files
/// are rewritten in place. The provenance file's source path is made absolute so the copy still
/// finds its original. The fixtures were written by the reference without its modeling file; the
/// copy gets ours (what `lsg-convert upgrade` writes), so that check 6 passes unless a test damages
/// it and every other check is tested on its own.
final class ConvertedCopy {
    let directory: TemporaryDirectory
    var url: URL { directory.url }
    var path: String { directory.path }

    /// One tensor as editable Float values; written back in `dtype` (round to nearest even for
    /// BF16/F16), or as `raw16` bits verbatim when set.
    struct Tensor {
        var name: String
        var dtype: DType
        var shape: [Int]
        var values: [Float]
        var raw16: [UInt16]?
    }

    init(_ fixture: String, withModelingFiles: Bool = true) throws {
        directory = try TemporaryDirectory("lsg-verify")
        let source = Fixtures.url("verify/\(fixture)")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: url.appendingPathComponent(name))
        }
        let provenanceURL = url.appendingPathComponent("lsg_conversion.json")
        var provenance = try ModelFolder.readJSON(provenanceURL)
        if let relative = provenance["source"]?["path"]?.stringValue {
            let absolute = source.appendingPathComponent(relative).standardizedFileURL.path
            provenance.set("source", .object([("path", .string(absolute))]))
            try provenance.serialized().write(to: provenanceURL, atomically: true, encoding: .utf8)
        }
        if withModelingFiles {
            for file in try ModelingFileSet.embedded.closure(of: "modeling_lsg_roberta") {
                try file.bytes.write(to: url.appendingPathComponent(file.name))
            }
        }
    }

    /// Reads every tensor, lets `edit` change the list (values, order, removals), writes it back.
    func editTensors(_ edit: (inout [Tensor]) throws -> Void) throws {
        let weightsPath = url.appendingPathComponent("model.safetensors").path
        var tensors: [Tensor]
        do {
            let file = try SafetensorsFile(path: weightsPath)
            tensors = try file.tensorInfos.map { info in
                Tensor(name: info.name, dtype: info.dtype, shape: info.shape, values: try file.tensor(named: info.name).floats())
            }
        }
        try edit(&tensors)
        let entries = tensors.map { tensor in
            SafetensorsWriter.Entry(info: TensorInfo(name: tensor.name, dtype: tensor.dtype, shape: tensor.shape)) { sink in
                switch tensor.dtype {
                case .bf16: try sink.write(contentsOf: tensor.raw16 ?? tensor.values.map(HalfPrecision.bfloat16(from:)))
                case .f16: try sink.write(contentsOf: tensor.raw16 ?? tensor.values.map(HalfPrecision.float16(from:)))
                default: try sink.write(contentsOf: tensor.values)
                }
            }
        }
        try SafetensorsWriter.write(entries, to: weightsPath, overwrite: true)
    }

    /// Edits one tensor's values by name.
    func editTensor(_ name: String, _ edit: (inout Tensor) -> Void) throws {
        try editTensors { tensors in
            guard let index = tensors.firstIndex(where: { $0.name == name }) else { fatalError("no tensor \(name)") }
            edit(&tensors[index])
        }
    }

    /// Rewrites a JSON file of the folder.
    func editJSON(_ file: String, _ edit: (inout JSONValue) -> Void) throws {
        let fileURL = url.appendingPathComponent(file)
        var value = try ModelFolder.readJSON(fileURL)
        edit(&value)
        try value.serialized().write(to: fileURL, atomically: true, encoding: .utf8)
    }
}
