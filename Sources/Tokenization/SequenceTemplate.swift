/// The framing a post-processor puts around one or two encoded sequences, with the type id of
/// every piece: `TemplateProcessing` (`[CLS]:0 $A:0 [SEP]:0` / `... $B:1 [SEP]:1` for BERT) or
/// `BertProcessing` (`[CLS] A [SEP]` and `[CLS] A [SEP] B [SEP]`, B's part with type id 1).
struct SequenceTemplate: Sendable, Equatable {
    enum Piece: Sendable, Equatable {
        /// Special token ids (a template token may stand for several ids).
        case special(ids: [Int], typeID: Int)
        /// Sequence A (0) or B (1).
        case sequence(index: Int, typeID: Int)
    }

    var single: [Piece]
    var pair: [Piece]
    /// `BertProcessing` keeps the encodings' own (zero) type ids without special tokens; the
    /// template sets them from the template either way (`TemplateProcessing::process_encodings`).
    var typeIDsWithoutSpecialTokens: Bool

    /// No post-processor: the sequences as they are, all type ids 0.
    static let none = SequenceTemplate(single: [.sequence(index: 0, typeID: 0)],
                                       pair: [.sequence(index: 0, typeID: 0), .sequence(index: 1, typeID: 0)],
                                       typeIDsWithoutSpecialTokens: false)

    static func bert(cls: Int, sep: Int) -> SequenceTemplate {
        SequenceTemplate(single: [.special(ids: [cls], typeID: 0), .sequence(index: 0, typeID: 0), .special(ids: [sep], typeID: 0)],
                         pair: [.special(ids: [cls], typeID: 0), .sequence(index: 0, typeID: 0), .special(ids: [sep], typeID: 0),
                                .sequence(index: 1, typeID: 1), .special(ids: [sep], typeID: 1)],
                         typeIDsWithoutSpecialTokens: false)
    }

    /// Number of special ids added for one (`pair == false`) or two sequences.
    func addedCount(pair: Bool) -> Int {
        (pair ? self.pair : single).reduce(0) { n, p in
            if case .special(let ids, _) = p { return n + ids.count }
            return n
        }
    }

    /// Ids and type ids of the framed sequences.
    func apply(_ sequences: [[Int]], addSpecialTokens: Bool) -> (ids: [Int], typeIDs: [Int]) {
        var ids: [Int] = [], types: [Int] = []
        for piece in sequences.count == 2 ? pair : single {
            switch piece {
            case let .special(specialIDs, typeID):
                guard addSpecialTokens else { continue }
                ids += specialIDs
                types += [Int](repeating: typeID, count: specialIDs.count)
            case let .sequence(index, typeID):
                let content = sequences[index]
                ids += content
                let t = addSpecialTokens || typeIDsWithoutSpecialTokens ? typeID : 0
                types += [Int](repeating: t, count: content.count)
            }
        }
        return (ids, types)
    }

    /// From a `tokenizer.json` `post_processor` (nil: none).
    static func parse(_ processor: Any?, file: String) throws -> SequenceTemplate {
        guard let p = processor as? [String: Any] else { return .none }
        func tokenID(_ value: Any?) -> Int? { (value as? [Any])?.last as? Int }
        switch p["type"] as? String {
        case "BertProcessing":
            guard let cls = tokenID(p["cls"]), let sep = tokenID(p["sep"]) else {
                throw TokenizerError.unreadable(file: file, reason: "BertProcessing without cls/sep ids")
            }
            return .bert(cls: cls, sep: sep)
        case "TemplateProcessing":
            let specials = p["special_tokens"] as? [String: [String: Any]] ?? [:]
            func pieces(_ key: String) throws -> [Piece] {
                guard let list = p[key] as? [[String: Any]] else {
                    throw TokenizerError.unreadable(file: file, reason: "TemplateProcessing without a \(key) template")
                }
                return try list.map { piece in
                    if let seq = piece["Sequence"] as? [String: Any], let name = seq["id"] as? String,
                       let typeID = seq["type_id"] as? Int, name == "A" || name == "B" {
                        return .sequence(index: name == "A" ? 0 : 1, typeID: typeID)
                    }
                    if let special = piece["SpecialToken"] as? [String: Any], let name = special["id"] as? String,
                       let typeID = special["type_id"] as? Int, let ids = specials[name]?["ids"] as? [Int] {
                        return .special(ids: ids, typeID: typeID)
                    }
                    throw TokenizerError.unsupported(file: file, what: "post_processor template piece \(piece)")
                }
            }
            return SequenceTemplate(single: try pieces("single"), pair: try pieces("pair"), typeIDsWithoutSpecialTokens: true)
        default:
            throw TokenizerError.unsupported(file: file, what: "post_processor \(p["type"] ?? "?") for a WordPiece tokenizer")
        }
    }
}
