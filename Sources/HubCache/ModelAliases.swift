/// Canonical model ids that the hub moved into organisations (the old names still resolve online by
/// redirect). huggingface_hub caches a model under the name the user typed, so a cached
/// `models--roberta-base` and `models--FacebookAI--roberta-base` are the same model.
public enum ModelAliases {
    /// Legacy un-namespaced id -> its organisation today.
    public static let organisationOfLegacyID: [String: String] = [
        "roberta-base": "FacebookAI", "roberta-large": "FacebookAI",
        "roberta-large-mnli": "FacebookAI", "roberta-base-openai-detector": "openai-community",
        "roberta-large-openai-detector": "openai-community",
        "xlm-roberta-base": "FacebookAI", "xlm-roberta-large": "FacebookAI",
        "xlm-roberta-large-finetuned-conll03-english": "FacebookAI",
        "distilroberta-base": "distilbert",
        "camembert-base": "almanach",
    ]

    /// The ids to try for `name`, the given one first: `roberta-base` -> [roberta-base,
    /// FacebookAI/roberta-base]; `FacebookAI/roberta-base` -> [FacebookAI/roberta-base, roberta-base].
    public static func candidates(for name: String) -> [String] {
        if let org = organisationOfLegacyID[name] { return [name, "\(org)/\(name)"] }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2, organisationOfLegacyID[String(parts[1])] == String(parts[0]) {
            return [name, String(parts[1])]
        }
        return [name]
    }
}
