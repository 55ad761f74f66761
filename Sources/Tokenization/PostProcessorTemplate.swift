/// The special-token framing a `tokenizer.json` `post_processor` adds around one sequence or a pair,
/// with the ids it names (CamemBERT's `<s>`/`</s>` are 5/6, not 0/2).
struct PostProcessorTemplate: Equatable, Sendable {
    enum Item: Equatable, Sendable {
        case first, second
        case ids([Int])
    }

    var single: [Item]
    var pair: [Item]

    /// No framing (no post-processor, or `ByteLevel`).
    static let none = PostProcessorTemplate(single: [.first], pair: [.first, .second])

    init(single: [Item], pair: [Item]) {
        self.single = single
        self.pair = pair
    }

    init(json: Any?, file: String) throws {
        guard let p = json as? [String: Any] else { self = .none; return }
        func tokenID(_ value: Any?) -> Int? { (value as? [Any])?.last as? Int }
        switch p["type"] as? String {
        case "TemplateProcessing":
            let specials = p["special_tokens"] as? [String: [String: Any]] ?? [:]
            func items(_ key: String) throws -> [Item] {
                guard let list = p[key] as? [[String: Any]] else {
                    throw TokenizerError.unreadable(file: file, reason: "TemplateProcessing without a \"\(key)\" template")
                }
                return try list.map { piece in
                    if let sequence = piece["Sequence"] as? [String: Any] {
                        return sequence["id"] as? String == "B" ? .second : .first
                    }
                    guard let special = piece["SpecialToken"] as? [String: Any], let name = special["id"] as? String,
                          let ids = specials[name]?["ids"] as? [Int] else {
                        throw TokenizerError.unreadable(file: file, reason: "TemplateProcessing piece \(piece) names no known special token")
                    }
                    return .ids(ids)
                }
            }
            self.init(single: try items("single"), pair: try items("pair"))
        case "RobertaProcessing":
            guard let cls = tokenID(p["cls"]), let sep = tokenID(p["sep"]) else {
                throw TokenizerError.unreadable(file: file, reason: "post_processor without cls/sep ids")
            }
            self.init(single: [.ids([cls]), .first, .ids([sep])], pair: [.ids([cls]), .first, .ids([sep, sep]), .second, .ids([sep])])
        case "BertProcessing":
            guard let cls = tokenID(p["cls"]), let sep = tokenID(p["sep"]) else {
                throw TokenizerError.unreadable(file: file, reason: "post_processor without cls/sep ids")
            }
            self.init(single: [.ids([cls]), .first, .ids([sep])], pair: [.ids([cls]), .first, .ids([sep]), .second, .ids([sep])])
        case "ByteLevel":
            self = .none
        default:
            throw TokenizerError.unsupported(file: file, what: "post_processor \(p["type"] ?? "?")")
        }
    }

    /// Ids put before / after a single sequence.
    var singlePrefix: [Int] { ids(single.prefix { $0 != .first }) }
    var singleSuffix: [Int] { ids(single.drop { $0 != .first }.dropFirst()) }

    /// Number of ids the framing adds to a single sequence / a pair.
    var singleAdded: Int { ids(single[...]).count }
    var pairAdded: Int { ids(pair[...]).count }

    private func ids(_ items: ArraySlice<Item>) -> [Int] {
        items.flatMap { item -> [Int] in if case .ids(let ids) = item { ids } else { [] } }
    }

    func frame(_ a: [Int], _ b: [Int]? = nil) -> [Int] {
        var out: [Int] = []
        for item in b == nil ? single : pair {
            switch item {
            case .first: out += a
            case .second: out += b ?? []
            case .ids(let ids): out += ids
            }
        }
        return out
    }
}
