/// A `tokenizer.json` `decoder`, as `tokenizers`' `decode_chain`: each step maps the list of token
/// strings to a new list; the result is their concatenation.
indirect enum TokenDecoder: Sendable {
    /// `replacement` -> space; in the first token it is dropped instead when `dropInFirst`.
    case metaspace(replacement: Unicode.Scalar, dropInFirst: Bool)
    /// Runs of `<0xXX>` tokens become the text of their bytes (one U+FFFD per token if not UTF-8).
    case byteFallback
    /// All tokens joined into one.
    case fuse
    case replace(TextPattern, content: String)
    /// Removes up to `start` leading and `stop` trailing `content` characters from each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    case sequence([TokenDecoder])

    init(json: Any, file: String) throws {
        guard let object = json as? [String: Any], let type = object["type"] as? String else {
            throw TokenizerError.unreadable(file: file, reason: "decoder without a \"type\"")
        }
        switch type {
        case "Metaspace":
            let replacement = try MetaspacePreTokenizer.replacement(object, file: file)
            // tokenizers 0.14-0.18 decide on add_prefix_space (present in their files and the older ones);
            // >= 0.19 files only have prepend_scheme, and drop unless it is "never".
            let drop = object["add_prefix_space"] as? Bool ?? ((object["prepend_scheme"] as? String ?? "always") != "never")
            self = .metaspace(replacement: replacement, dropInFirst: drop)
        case "ByteFallback": self = .byteFallback
        case "Fuse": self = .fuse
        case "Replace":
            guard let content = object["content"] as? String else {
                throw TokenizerError.unreadable(file: file, reason: "Replace decoder without \"content\"")
            }
            self = .replace(try TextPattern(json: object["pattern"], file: file), content: content)
        case "Strip":
            guard let content = (object["content"] as? String)?.unicodeScalars.first else {
                throw TokenizerError.unreadable(file: file, reason: "Strip decoder without \"content\"")
            }
            self = .strip(content: content, start: object["start"] as? Int ?? 0, stop: object["stop"] as? Int ?? 0)
        case "Sequence":
            guard let list = object["decoders"] as? [Any] else {
                throw TokenizerError.unreadable(file: file, reason: "Sequence decoder without \"decoders\"")
            }
            self = .sequence(try list.map { try TokenDecoder(json: $0, file: file) })
        default:
            throw TokenizerError.unsupported(file: file, what: "decoder \(type) in a Unigram tokenizer")
        }
    }

    func decode(_ tokens: [String]) -> String { chain(tokens).joined() }

    func chain(_ tokens: [String]) -> [String] {
        switch self {
        case .sequence(let steps):
            return steps.reduce(tokens) { $1.chain($0) }
        case .metaspace(let replacement, let dropInFirst):
            return tokens.enumerated().map { i, token in
                var out = String.UnicodeScalarView()
                for c in token.unicodeScalars {
                    if c == replacement {
                        if !(i == 0 && dropInFirst) { out.append(" ") }
                    } else {
                        out.append(c)
                    }
                }
                return String(out)
            }
        case .byteFallback:
            var out: [String] = []
            var bytes: [UInt8] = []
            func flush() {
                guard !bytes.isEmpty else { return }
                if let text = String(validating: bytes, as: UTF8.self) { out.append(text) } else {
                    out.append(contentsOf: repeatElement("\u{FFFD}", count: bytes.count))
                }
                bytes.removeAll()
            }
            for token in tokens {
                if let byte = Self.byteToken(token) { bytes.append(byte) } else {
                    flush()
                    out.append(token)
                }
            }
            flush()
            return out
        case .fuse:
            return [tokens.joined()]
        case .replace(let pattern, let content):
            return tokens.map { pattern.replaceAll(in: $0, with: content) }
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                var s = Array(token.unicodeScalars)
                var leading = 0
                while leading < start && leading < s.count && s[leading] == content { leading += 1 }
                s.removeFirst(leading)
                var trailing = 0
                while trailing < stop && !s.isEmpty && s[s.count - 1] == content { s.removeLast(); trailing += 1 }
                return TextNormalizer.string(s)
            }
        }
    }

    /// The byte of a `<0xXX>` token (exactly 6 bytes, two hex digits).
    static func byteToken(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "<"), u[1] == UInt8(ascii: "0"), u[2] == UInt8(ascii: "x"),
              u[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }
}
