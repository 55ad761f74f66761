import CheckpointIO
import Foundation

/// The provenance file a conversion writes beside the weights (`lsg_conversion.json`): where the
/// source came from and the options used. `verify` reads the source path (to find the original) and
/// the options that decide the expected tensors (positional stride, random global init, dtype...).
///
/// Reading side of the format (written by `convert`, and by `fixtures/make_verify_fixtures.py` for
/// the reference's conversions):
/// ```json
/// {"tool": "...", "source": {"path": "../roberta", "name": "...", "revision": "..."},
///  "options": {"max_len": 4096, "architecture": "LSGRobertaForMaskedLM",
///              "global_positional_stride": 64, "random_global_init": false,
///              "keep_first_global_token": false, "resize_lsg": false, "dtype": "keep",
///              "seed": 123, "set": {"num_labels": 3}}}
/// ```
/// (`max_length` is accepted for `max_len`, and `model_kwargs` / `config_overrides` for `set`.)
/// Option keys are looked up in `options` and then at the top level, in snake_case or camelCase;
/// missing options take the reference's defaults. A relative `source.path` is resolved against the
/// converted folder.
public struct ConversionProvenance: Sendable {
    public static let fileName = "lsg_conversion.json"

    /// The whole document.
    public var document: JSONValue
    /// `source.path` as written (absolute, or relative to the converted folder).
    public var sourcePath: String?
    /// `source.name` (a hub name), informative.
    public var sourceName: String?
    /// `max_length` (L, without the 2 offset rows).
    public var maxLength: Int?
    /// `architecture` (the target class).
    public var architecture: String?
    /// `global_positional_stride`, default 64 (reference §1).
    public var globalPositionalStride: Int
    /// `random_global_init`, default false.
    public var randomGlobalInit: Bool
    /// `keep_first_global_token`, default false (LSG sources only).
    public var keepFirstGlobalToken: Bool
    /// `resize_lsg`, default false (LSG sources only).
    public var resizeLSG: Bool
    /// `dtype`: `keep`, `f32`, `f16` or `bf16`; nil when not recorded (= keep).
    public var dtype: String?
    /// Config keys the user overrode (`model_kwargs`, `set`, `config_overrides`): allowed to differ
    /// from the source's config.
    public var overriddenConfigKeys: [String]

    /// Parses a provenance document; `file` names it in errors.
    public init(document: JSONValue, file: String) throws {
        guard document.objectValue != nil else {
            throw VerificationError.badProvenance(file: file, reason: "not a JSON object")
        }
        self.document = document
        let source = document["source"]
        sourcePath = source?["path"]?.stringValue ?? source?.stringValue
        sourceName = source?["name"]?.stringValue
        func option(_ snake: String) -> JSONValue? {
            let camel = snake.split(separator: "_").enumerated()
                .map { $0.offset == 0 ? String($0.element) : $0.element.capitalized }.joined()
            for container in [document["options"], document] {
                if let value = container?[snake] ?? container?[camel], !value.isNull { return value }
            }
            return nil
        }
        func int(_ key: String) throws -> Int? {
            guard let value = option(key) else { return nil }
            guard let int = value.intValue else {
                throw VerificationError.badProvenance(file: file, reason: "`\(key)` is not an integer")
            }
            return int
        }
        func bool(_ key: String) throws -> Bool {
            guard let value = option(key) else { return false }
            guard let flag = value.boolValue else {
                throw VerificationError.badProvenance(file: file, reason: "`\(key)` is not a boolean")
            }
            return flag
        }
        // `convert` writes `max_len` (its option's name); `max_length` is the reference API's.
        maxLength = try int("max_length") ?? int("max_len")
        architecture = option("architecture")?.stringValue
        globalPositionalStride = try int("global_positional_stride") ?? 64
        guard globalPositionalStride > 0 else {
            throw VerificationError.badProvenance(file: file, reason: "`global_positional_stride` must be positive")
        }
        randomGlobalInit = try bool("random_global_init")
        keepFirstGlobalToken = try bool("keep_first_global_token")
        resizeLSG = try bool("resize_lsg")
        dtype = option("dtype")?.stringValue
        var keys: [String] = []
        for name in ["model_kwargs", "set", "config_overrides"] {
            switch option(name) {
            case let .object(pairs)?: keys += pairs.map(\.0)
            case let .array(items)?:
                // `["num_labels=3", ...]` or `[{"key": ..., "value": ...}]`.
                for item in items {
                    if let text = item.stringValue, let key = text.split(separator: "=").first { keys.append(String(key)) }
                    if let key = item["key"]?.stringValue { keys.append(key) }
                }
            default: break
            }
        }
        overriddenConfigKeys = keys
    }

    /// Reads `folder/lsg_conversion.json`; `nil` when the folder has none.
    public static func read(folder: URL) throws -> ConversionProvenance? {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let document: JSONValue
        do {
            document = try ModelFolder.readJSON(url)
        } catch let error as CheckpointError {
            throw VerificationError.badProvenance(file: url.path, reason: error.message)
        }
        return try ConversionProvenance(document: document, file: url.path)
    }

    /// `source.path` resolved against the converted folder; `nil` when none is recorded.
    public func sourceURL(relativeTo folder: URL) -> URL? {
        guard let sourcePath, !sourcePath.isEmpty else { return nil }
        if sourcePath.hasPrefix("/") { return URL(fileURLWithPath: sourcePath).standardizedFileURL }
        return folder.appendingPathComponent(sourcePath).standardizedFileURL
    }
}
