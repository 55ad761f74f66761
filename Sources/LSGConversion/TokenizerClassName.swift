import CheckpointIO
import Foundation
import ModelFamilies

/// config.json `tokenizer_class` for a converted or upgraded folder. transformers 4.36's
/// `pipeline(..., trust_remote_code=True)` finds no tokenizer for a config whose class is remote code
/// unless config.json names one (measured: the reference's own folders fail there), so we write it.
public enum TokenizerClassName {
    /// The folder's tokenizer_config.json `tokenizer_class` when it has one, else the family's slow
    /// class (`RobertaTokenizer`, `XLMRobertaTokenizer`, `CamembertTokenizer`), which AutoTokenizer
    /// turns into the fast class when tokenizer.json is present.
    public static func forFolder(_ folder: URL, family: ModelFamily) -> String {
        let url = folder.appendingPathComponent("tokenizer_config.json")
        if let config = try? ModelFolder.readJSON(url), let name = config["tokenizer_class"]?.stringValue, !name.isEmpty {
            return name
        }
        return family.slowTokenizerClass
    }
}
