/// A piece of normalized text during pre-tokenization.
struct TextPiece: Equatable, Sendable {
    var scalars: [Unicode.Scalar]
    /// Whether the piece starts at offset 0 of the original text (Metaspace's `prepend_scheme: first`).
    var atStart: Bool
    /// Whether it is the first non-empty text piece of the input (tokenizers 0.15's `first_split`, which the
    /// first split reaching the pre-tokenizer clears; added tokens and emptied pieces never reach it).
    var isFirst: Bool
}

/// The `tokenizer.json` `pre_tokenizer` of SentencePiece-converted tokenizers: `Metaspace` (alone, or
/// after `WhitespaceSplit` as transformers 5 writes it), in the three serializations that exist.
indirect enum MetaspacePreTokenizer: Sendable {
    /// When to put the replacement character in front of a piece.
    enum Prepend: Sendable, Equatable {
        case always, never
        /// Only before the piece at the start of the text (tokenizers >= 0.19: original offset 0).
        case firstAtStart
        /// Only before the first text piece of the input (tokenizers 0.15: its `first_split` flag).
        case firstPiece
    }

    /// Replace `' '` by `replacement`, prepend it per `prepend` when missing, split before every
    /// `replacement` (merged with the next piece) when `split`.
    case metaspace(replacement: Unicode.Scalar, prepend: Prepend, split: Bool)
    /// Split on White_Space, dropping it.
    case whitespaceSplit
    case sequence([MetaspacePreTokenizer])

    /// Parses one pre-tokenizer object.
    ///
    /// Serializations (tokenizers' `Metaspace` deserializer accepts all three):
    /// - `{replacement, add_prefix_space}`: tokenizers < 0.14 (e.g. the hub's xlm-roberta-base); prepends always;
    /// - `{replacement, add_prefix_space, prepend_scheme}`: tokenizers 0.14-0.18; `add_prefix_space: false` disables
    ///   prepending whatever the scheme, `first` means the first text piece;
    /// - `{replacement, prepend_scheme, split}`: tokenizers >= 0.19; `first` means the piece at offset 0.
    init(json: Any, file: String) throws {
        guard let object = json as? [String: Any], let type = object["type"] as? String else {
            throw TokenizerError.unreadable(file: file, reason: "pre_tokenizer without a \"type\"")
        }
        switch type {
        case "Metaspace":
            let replacement = try Self.replacement(object, file: file)
            let scheme = object["prepend_scheme"] as? String
            let addPrefixSpace = object["add_prefix_space"] as? Bool
            var prepend: Prepend
            switch scheme {
            case nil, "always": prepend = .always
            case "never": prepend = .never
            case "first": prepend = object["split"] == nil ? .firstPiece : .firstAtStart
            default: throw TokenizerError.unsupported(file: file, what: "Metaspace prepend_scheme \(scheme!)")
            }
            if object["split"] == nil, addPrefixSpace == false { prepend = .never }
            self = .metaspace(replacement: replacement, prepend: prepend, split: object["split"] as? Bool ?? true)
        case "WhitespaceSplit":
            self = .whitespaceSplit
        case "Sequence":
            guard let list = object["pretokenizers"] as? [Any] else {
                throw TokenizerError.unreadable(file: file, reason: "Sequence pre_tokenizer without \"pretokenizers\"")
            }
            self = .sequence(try list.map { try MetaspacePreTokenizer(json: $0, file: file) })
        default:
            throw TokenizerError.unsupported(file: file, what: "pre-tokenizer \(type) in a Unigram tokenizer")
        }
    }

    static func replacement(_ object: [String: Any], file: String) throws -> Unicode.Scalar {
        guard let text = object["replacement"] as? String, text.unicodeScalars.count == 1, let c = text.unicodeScalars.first else {
            throw TokenizerError.unreadable(file: file, reason: "Metaspace replacement must be one character")
        }
        return c
    }

    /// Splits every piece; empty pieces are dropped (as `PreTokenizedString::split` does).
    func split(_ pieces: [TextPiece]) -> [TextPiece] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(pieces) { $1.split($0) }
        case .whitespaceSplit:
            var out: [TextPiece] = []
            for piece in pieces {
                var current: [Unicode.Scalar] = []
                var start = 0
                var emitted = false
                func flush(_ end: Int) {
                    if !current.isEmpty {
                        out.append(TextPiece(scalars: current, atStart: piece.atStart && start == 0, isFirst: piece.isFirst && !emitted))
                        emitted = true
                    }
                    current = []
                    start = end + 1
                }
                for (i, s) in piece.scalars.enumerated() {
                    if s.properties.isWhitespace { flush(i) } else { current.append(s) }
                }
                flush(piece.scalars.count)
            }
            return out
        case .metaspace(let replacement, let prepend, let split):
            var out: [TextPiece] = []
            for piece in pieces {
                var s = piece.scalars.map { $0 == " " ? replacement : $0 }
                let missing = s.first != replacement
                switch prepend {
                case .always:
                    if missing { s.insert(replacement, at: 0) }
                case .never:
                    break
                case .firstAtStart:
                    if missing && piece.atStart { s.insert(replacement, at: 0) }
                case .firstPiece:
                    if missing && piece.isFirst { s.insert(replacement, at: 0) }
                }
                guard split else {
                    if !s.isEmpty { out.append(TextPiece(scalars: s, atStart: piece.atStart, isFirst: piece.isFirst)) }
                    continue
                }
                var current: [Unicode.Scalar] = []
                for c in s {
                    if c == replacement && !current.isEmpty {
                        out.append(TextPiece(scalars: current, atStart: piece.atStart && out.isEmpty, isFirst: piece.isFirst))
                        current = []
                    }
                    current.append(c)
                }
                if !current.isEmpty { out.append(TextPiece(scalars: current, atStart: false, isFirst: piece.isFirst)) }
            }
            return out
        }
    }
}
