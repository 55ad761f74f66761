import CheckpointIO
import Foundation

/// The files a sentence-transformers export keeps beside the Hugging Face model (`modules.json`,
/// `sentence_bert_config.json`, `config_sentence_transformers.json` and the module folders such as
/// `1_Pooling/`). The reference's `save_pretrained` drops them; we copy them so that the converted
/// folder still loads with `SentenceTransformer(dir)` (the `Transformer` module at path "" is the
/// converted model).
public struct SentenceTransformersFiles: Sendable, Equatable {
    /// Top-level files to copy (names relative to the folder).
    public var files: [String]
    /// Module folders named by `modules.json` (relative paths, non-empty).
    public var moduleFolders: [String]

    /// Top-level files a sentence-transformers save writes besides the model's own.
    public static let topLevelNames = ["modules.json", "sentence_bert_config.json", "config_sentence_transformers.json"]

    /// The export's extra files in `folder`, or `nil` when it is not a sentence-transformers export
    /// (no `modules.json`). Throws when `modules.json` cannot be read or names a path outside the folder.
    public static func find(in folder: URL) throws -> SentenceTransformersFiles? {
        let modules = folder.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: modules.path) else { return nil }
        let json: JSONValue
        do {
            json = try ModelFolder.readJSON(modules)
        } catch {
            throw ConversionError(.invalidSource, modules.path, "unreadable sentence-transformers modules.json: \(error)")
        }
        guard let list = json.arrayValue else {
            throw ConversionError(.invalidSource, modules.path, "expected a JSON array of modules")
        }
        var folders: [String] = []
        for module in list {
            guard let path = module["path"]?.stringValue, !path.isEmpty else { continue }
            // Module paths are relative folder names (`1_Pooling`); refuse anything that escapes.
            guard !path.hasPrefix("/"), !path.split(separator: "/").contains("..") else {
                throw ConversionError(.invalidSource, modules.path, "module path \"\(path)\" leaves the model folder")
            }
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isDirectory),
               isDirectory.boolValue {
                folders.append(path)
            }
        }
        let files = topLevelNames.filter { FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path) }
        return SentenceTransformersFiles(files: files, moduleFolders: folders)
    }

    /// `sentence_bert_config.json` with `max_seq_length` raised to the new max length (otherwise
    /// sentence-transformers keeps truncating at the short model's length).
    static func updatedSentenceConfig(_ url: URL, maxLength: Int) throws -> String {
        var config = try ModelFolder.readJSON(url)
        config.set("max_seq_length", .int(Int64(maxLength)))
        return config.serialized(indent: 2, asciiOnly: false) + "\n"
    }
}
