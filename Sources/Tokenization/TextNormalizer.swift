import Foundation

/// A `tokenizer.json` `normalizer`, applied as Hugging Face `tokenizers` applies it (to each piece of
/// text left between added tokens, before pre-tokenization). The list comes from the file; only the
/// steps SentencePiece-converted tokenizers use are implemented.
indirect enum TextNormalizer: Sendable {
    case sequence([TextNormalizer])
    case precompiled(PrecompiledCharsMap)
    case replace(TextPattern, content: String)
    case nfc, nfd, nfkc, nfkd
    case strip(left: Bool, right: Bool)
    case lowercase
    /// Removes combining marks (categories Mn, Mc, Me: `is_combining_mark` of tokenizers' `StripAccents`).
    case stripAccents
    case prepend(String)

    init(json: Any, file: String) throws {
        guard let object = json as? [String: Any], let type = object["type"] as? String else {
            throw TokenizerError.unreadable(file: file, reason: "normalizer without a \"type\"")
        }
        switch type {
        case "Sequence":
            guard let list = object["normalizers"] as? [Any] else {
                throw TokenizerError.unreadable(file: file, reason: "Sequence normalizer without \"normalizers\"")
            }
            self = .sequence(try list.map { try TextNormalizer(json: $0, file: file) })
        case "Precompiled":
            // An empty or null charsmap is the identity (tokenizers accepts it and normalizes nothing).
            guard let encoded = object["precompiled_charsmap"] as? String, !encoded.isEmpty else {
                self = .sequence([])
                return
            }
            guard let data = Data(base64Encoded: encoded) else {
                throw TokenizerError.unreadable(file: file, reason: "Precompiled normalizer: precompiled_charsmap is not base64")
            }
            self = .precompiled(try PrecompiledCharsMap(bytes: [UInt8](data), file: file))
        case "Replace":
            guard let content = object["content"] as? String else {
                throw TokenizerError.unreadable(file: file, reason: "Replace normalizer without \"content\"")
            }
            self = .replace(try TextPattern(json: object["pattern"], file: file), content: content)
        case "NFC": self = .nfc
        case "NFD": self = .nfd
        case "NFKC": self = .nfkc
        case "NFKD": self = .nfkd
        case "Strip":
            self = .strip(left: object["strip_left"] as? Bool ?? true, right: object["strip_right"] as? Bool ?? true)
        case "Lowercase": self = .lowercase
        case "StripAccents": self = .stripAccents
        case "Prepend":
            guard let prepend = object["prepend"] as? String else {
                throw TokenizerError.unreadable(file: file, reason: "Prepend normalizer without \"prepend\"")
            }
            self = .prepend(prepend)
        default:
            throw TokenizerError.unsupported(file: file, what: "normalizer \(type)")
        }
    }

    func normalize(_ text: String) -> String {
        switch self {
        case .sequence(let steps):
            return steps.reduce(text) { $1.normalize($0) }
        case .precompiled(let map):
            return map.normalize(text)
        case .replace(let pattern, let content):
            return pattern.replaceAll(in: text, with: content)
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        case .strip(let left, let right):
            var scalars = Array(text.unicodeScalars)
            // Rust `char::is_whitespace` is the White_Space property.
            if right { while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() } }
            if left, let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) {
                scalars.removeFirst(first)
            } else if left { scalars.removeAll() }
            return Self.string(scalars)
        case .lowercase:
            // Per character, as `NormalizedString::lowercase` (`char::to_lowercase`, no context rules).
            var out = String.UnicodeScalarView()
            for s in text.unicodeScalars { out.append(contentsOf: s.properties.lowercaseMapping.unicodeScalars) }
            return String(out)
        case .stripAccents:
            return Self.string(text.unicodeScalars.filter {
                switch $0.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark: return false
                default: return true
                }
            })
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        }
    }

    static func string<S: Sequence>(_ scalars: S) -> String where S.Element == Unicode.Scalar {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}

/// A `Replace` / `Split` pattern: `{"String": s}` (literal) or `{"Regex": r}`.
struct TextPattern: @unchecked Sendable {
    private enum Kind {
        case literal([Unicode.Scalar])
        /// `c{n,}` / `c+` on one literal character (the ` {2,}` of SentencePiece conversions), matched by hand.
        case run(Unicode.Scalar, minimum: Int)
        case regex(NSRegularExpression)
    }
    private let kind: Kind

    init(json: Any?, file: String) throws {
        guard let object = json as? [String: Any] else {
            throw TokenizerError.unreadable(file: file, reason: "pattern is not {\"String\": ...} or {\"Regex\": ...}")
        }
        if let literal = object["String"] as? String {
            kind = .literal(Array(literal.unicodeScalars))
        } else if let regex = object["Regex"] as? String {
            if let run = Self.run(regex) {
                kind = .run(run.0, minimum: run.1)
            } else {
                do { kind = .regex(try NSRegularExpression(pattern: regex)) } catch {
                    throw TokenizerError.unreadable(file: file, reason: "pattern \(regex.debugDescription) is not a valid regex")
                }
            }
        } else {
            throw TokenizerError.unreadable(file: file, reason: "pattern is not {\"String\": ...} or {\"Regex\": ...}")
        }
    }

    /// `X{n,}` or `X+` with X one non-meta character (or `\X`).
    private static func run(_ regex: String) -> (Unicode.Scalar, Int)? {
        var scalars = Array(regex.unicodeScalars)
        guard !scalars.isEmpty else { return nil }
        var c = scalars.removeFirst()
        if c == "\\" {
            guard let escaped = scalars.first, "\\.+*?()[]{}|^$".unicodeScalars.contains(escaped) else { return nil }
            c = scalars.removeFirst()
        } else if "\\.+*?()[]{}|^$".unicodeScalars.contains(c) {
            return nil
        }
        let rest = String(String.UnicodeScalarView(scalars))
        if rest == "+" { return (c, 1) }
        guard rest.hasPrefix("{"), rest.hasSuffix(",}"), let n = Int(rest.dropFirst().dropLast(2)), n >= 1 else { return nil }
        return (c, n)
    }

    /// Replaces every non-overlapping match, left to right.
    func replaceAll(in text: String, with content: String) -> String {
        switch kind {
        case .literal(let from):
            guard !from.isEmpty else { return text }
            let s = Array(text.unicodeScalars)
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.count)
            let to = Array(content.unicodeScalars)
            var i = 0
            while i < s.count {
                if i + from.count <= s.count && s[i..<(i + from.count)].elementsEqual(from) {
                    out.append(contentsOf: to)
                    i += from.count
                } else {
                    out.append(s[i])
                    i += 1
                }
            }
            return TextNormalizer.string(out)
        case .run(let c, let minimum):
            guard text.unicodeScalars.contains(c) else { return text }
            let to = Array(content.unicodeScalars)
            var out: [Unicode.Scalar] = []
            var runLength = 0
            func flush() {
                if runLength >= minimum { out.append(contentsOf: to) } else { out.append(contentsOf: repeatElement(c, count: runLength)) }
                runLength = 0
            }
            for s in text.unicodeScalars {
                if s == c { runLength += 1 } else {
                    if runLength > 0 { flush() }
                    out.append(s)
                }
            }
            if runLength > 0 { flush() }
            return TextNormalizer.string(out)
        case .regex(let regex):
            let range = NSRange(text.startIndex..<text.endIndex, in: text)
            return regex.stringByReplacingMatches(in: text, range: range,
                                                  withTemplate: NSRegularExpression.escapedTemplate(for: content))
        }
    }
}
