import CheckpointIO
import Foundation
import LSGConversion
import TestSupport

/// Access to fixtures/conversion: the tiny sources and the digests of the real reference's conversions.
enum ConversionFixtures {
    static func source(_ name: String) -> URL { Fixtures.url("conversion/sources/\(name)") }

    /// A reference conversion's digest (fixtures/conversion/digests/<case>.json).
    struct Digest {
        struct Tensor { var dtype: String; var shape: [Int]; var sha256: String }
        var name: String
        /// The fixture folder the digest and its source live in (`conversion`, `bert-conversion`).
        var root: String
        var source: String
        var tensors: [String: Tensor]
        var randomTensors: Set<String>
        var config: JSONValue
        var modelMaxLength: Int
        var options: JSONValue
        var globalRows: (tensor: String, rows: [Int], sha256: String)?
        var files: [String]
        /// sha256 of the reference's whole model.safetensors and config.json.
        var modelFileSHA256: String
        var configFileSHA256: String
        /// The reference's generation_config.json, for classes that can generate.
        var generationConfigText: String?
    }

    static func digest(_ name: String, root: String = "conversion") throws -> Digest {
        let json = try ModelFolder.readJSON(Fixtures.url("\(root)/digests/\(name).json"))
        var tensors: [String: Digest.Tensor] = [:]
        for (tensor, entry) in json["tensors"]?.objectValue ?? [] {
            tensors[tensor] = .init(dtype: entry["dtype"]!.stringValue!, shape: entry["shape"]!.arrayValue!.map { $0.intValue! },
                                    sha256: entry["sha256"]!.stringValue!)
        }
        var globalRows: (String, [Int], String)?
        if let g = json["global_rows"] {
            globalRows = (g["tensor"]!.stringValue!, g["deterministic_rows"]!.arrayValue!.map { $0.intValue! },
                          g["deterministic_rows_sha256"]!.stringValue!)
        }
        return Digest(name: name, root: root, source: json["source"]!.stringValue!, tensors: tensors,
                      randomTensors: Set((json["random_tensors"]?.arrayValue ?? []).compactMap(\.stringValue)),
                      config: json["config"]!, modelMaxLength: json["model_max_length"]!.intValue!,
                      options: json["options"]!, globalRows: globalRows,
                      files: json["files"]!.arrayValue!.compactMap(\.stringValue),
                      modelFileSHA256: json["file_sha256"]!["model.safetensors"]!.stringValue!,
                      configFileSHA256: json["file_sha256"]!["config.json"]!.stringValue!,
                      generationConfigText: json["generation_config_text"]?.stringValue)
    }

    /// The options the reference ran with, as ours: the API's arguments, and its model_kwargs as `--set`.
    static func options(for digest: Digest) -> ConversionOptions {
        var options = ConversionOptions()
        let o = digest.options
        options.maxLength = o["max_len"]!.intValue!
        options.architecture = o["architecture"]?.stringValue
        options.globalPositionalStride = o["global_positional_stride"]!.intValue!
        options.randomGlobalInit = o["random_global_init"]!.boolValue!
        options.keepFirstGlobalToken = o["keep_first_global_token"]!.boolValue!
        options.resizeLSG = o["resize_lsg"]!.boolValue!
        options.configOverrides = (o["model_kwargs"]?.objectValue ?? []).map { (key: $0.0, value: $0.1) }
        options.nameOrPath = digest.name
        return options
    }

    /// Converts `folder` with `options` into `output` (no modeling file, no source hashing).
    static func convert(_ folder: URL, options: ConversionOptions, to output: URL, force: Bool = false) throws -> ConversionPlan {
        let model = try ModelFolder(url: folder)
        var converter = LSGConverter(folder: model, source: try model.openWeights(), options: options)
        converter.hashSource = false
        let plan = try converter.plan()
        try converter.convert(plan: plan, to: output, force: force)
        return plan
    }

    static func plan(_ folder: URL, options: ConversionOptions) throws -> ConversionPlan {
        let model = try ModelFolder(url: folder)
        return try LSGConverter(folder: model, source: try model.openWeights(), options: options).plan()
    }

    static func sha256(_ bytes: UnsafeRawBufferPointer) -> String { SHA256.hex(bytes) }

    /// The source folder a digest was converted from.
    static func sourceURL(of digest: Digest) -> URL { Fixtures.url(digest.root + "/" + digest.source) }

    /// Rows `rows` of a 2-D tensor, concatenated, hashed.
    static func sha256(rows: [Int], of data: TensorData) -> String {
        let rowBytes = data.info.byteCount / data.info.shape[0]
        var hash = SHA256()
        for r in rows { hash.update(UnsafeRawBufferPointer(rebasing: data.bytes[(r * rowBytes)..<((r + 1) * rowBytes)])) }
        return hash.finalizeHex()
    }
}
