/// Finds the values of a few keys in the large JSON documents tokenizers ship without building them:
/// `vocab.json` (50,265 entries for roberta-base), `tokenizer.json` (its `model.vocab`, 250,002
/// pieces for XLM-R). ``SpecialTokenIDs`` needs the ids of four or five special tokens; building a
/// ``JSONValue`` of the whole vocabulary for them cost ~0.1 CPU-s per read, and a conversion with
/// its quick verification read one five times (issue 14's profile: 19 % of the default `convert`).
///
/// The scanner walks the bytes once: keys are compared as raw bytes when they hold no escape (the
/// common case; an escaped key is decoded with ``JSONParser``), and every other value is skipped by
/// matching brackets and strings. It checks the structure it walks (brackets, string termination,
/// `:` and `,`), not the full grammar of skipped scalars; a document it cannot walk gives `nil`, as a
/// document ``JSONParser`` rejects did for the callers. A key that occurs twice keeps its last value
/// (Python's `json`; ``JSONParser`` would reject the document).
public struct JSONKeyScanner {
    /// A malformed document (the callers treat it as absent).
    struct Malformed: Error {}

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    /// The wanted keys' UTF-8 bytes, indexed by their length, for the raw-byte comparison.
    private let wantedByLength: [[(key: String, utf8: [UInt8])]]

    private init(_ bytes: UnsafeRawBufferPointer, wanted: Set<String>) {
        self.bytes = bytes
        var groups = [[(key: String, utf8: [UInt8])]](repeating: [], count: (wanted.map(\.utf8.count).max() ?? 0) + 1)
        for key in wanted { groups[key.utf8.count].append((key, Array(key.utf8))) }
        wantedByLength = groups
    }

    private func candidates(length: Int) -> [(key: String, utf8: [UInt8])] {
        length < wantedByLength.count ? wantedByLength[length] : []
    }

    /// The integer values of the `wanted` keys of a top-level object (`vocab.json`,
    /// `added_tokens.json`: token -> id). Keys whose value is not an integer are left out.
    /// `nil` when the document is not an object or cannot be walked.
    public static func integers(for wanted: Set<String>, inObject bytes: UnsafeRawBufferPointer) -> [String: Int]? {
        var scanner = JSONKeyScanner(bytes, wanted: wanted)
        return try? scanner.document { scanner in try scanner.objectIntegers() }
    }

    /// Every member of a top-level `{token: id}` object (`vocab.json`), or `nil` when the document
    /// is not such an object (a non-integer value, invalid UTF-8, a structure it cannot walk).
    /// About 10x faster than Foundation's `JSONSerialization` into `[String: Any]` on roberta-base's
    /// 50,265 entries (issue 14: the quick verification's tokenizer load).
    public static func integerObject(_ bytes: UnsafeRawBufferPointer) -> [String: Int]? {
        var scanner = JSONKeyScanner(bytes, wanted: [])
        return try? scanner.document { scanner in
            var entries: [String: Int] = [:]
            entries.reserveCapacity(bytes.count / 12)
            try scanner.forEachMember(all: true) { scanner, key in
                guard let key, let value = try scanner.integerOrSkip() else { throw Malformed() }
                entries[key] = value
            }
            return entries
        }
    }

    /// What `tokenizer.json` says about the `wanted` tokens.
    public struct TokenizerLookup: Sendable {
        /// Ids from `model.vocab` (a WordPiece/BPE `{token: id}` object, or a Unigram `[[piece, score], ...]`
        /// list whose index is the id).
        public var vocabulary: [String: Int] = [:]
        /// Ids from `added_tokens` (`[{"id": 50264, "content": "<mask>", ...}]`), in file order.
        public var addedTokens: [(content: String, id: Int)] = []
    }

    /// Looks up `wanted` in `tokenizer.json`'s `model.vocab`, and reads `added_tokens` (a short
    /// list, parsed whole). `nil` when the document cannot be walked.
    public static func tokenizer(for wanted: Set<String>, in bytes: UnsafeRawBufferPointer) -> TokenizerLookup? {
        var scanner = JSONKeyScanner(bytes, wanted: wanted)
        return try? scanner.document { scanner in try scanner.tokenizerDocument() }
    }

    // MARK: - Documents

    private mutating func document<T>(_ body: (inout JSONKeyScanner) throws -> T) throws -> T {
        skipWhitespace()
        let result = try body(&self)
        skipWhitespace()
        guard index == bytes.count else { throw Malformed() }
        return result
    }

    private mutating func objectIntegers() throws -> [String: Int] {
        var found: [String: Int] = [:]
        try forEachMember { scanner, key in
            guard let key else { try scanner.skipValue(); return }
            if let value = try scanner.integerOrSkip() { found[key] = value }
        }
        return found
    }

    private mutating func tokenizerDocument() throws -> TokenizerLookup {
        var lookup = TokenizerLookup()
        try forEachMember(all: true) { scanner, key in
            switch key {
            case "model":
                guard scanner.current == UInt8(ascii: "{") else { try scanner.skipValue(); return }
                try scanner.forEachMember(all: true) { scanner, key in
                    guard key == "vocab" else { try scanner.skipValue(); return }
                    lookup.vocabulary = try scanner.vocabulary()
                }
            case "added_tokens":
                lookup.addedTokens = try scanner.addedTokens()
            default:
                try scanner.skipValue()
            }
        }
        return lookup
    }

    /// `model.vocab`: an object of ids, or Unigram's list of `[piece, score]` pairs.
    private mutating func vocabulary() throws -> [String: Int] {
        if current == UInt8(ascii: "{") { return try objectIntegers() }
        guard current == UInt8(ascii: "[") else { try skipValue(); return [:] }
        var found: [String: Int] = [:]
        var position = 0
        try forEachElement { scanner in
            defer { position += 1 }
            guard scanner.current == UInt8(ascii: "[") else { try scanner.skipValue(); return }
            var first = true
            try scanner.forEachElement { scanner in
                if first, scanner.current == UInt8(ascii: "\"") {
                    if let piece = try scanner.wantedString() { found[piece] = position }
                } else {
                    try scanner.skipValue()
                }
                first = false
            }
        }
        return found
    }

    /// `added_tokens`: parsed whole (a few entries), `content` and `id` of each.
    private mutating func addedTokens() throws -> [(content: String, id: Int)] {
        let start = index
        try skipValue()
        guard let value = try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<index])) else { throw Malformed() }
        return (value.arrayValue ?? []).compactMap { token in
            guard let content = token["content"]?.stringValue, let id = token["id"]?.intValue else { return nil }
            return (content, id)
        }
    }

    // MARK: - Structure

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            let c = bytes[index]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            index += 1
        }
    }

    private mutating func expect(_ byte: UInt8) throws {
        skipWhitespace()
        guard current == byte else { throw Malformed() }
        index += 1
        skipWhitespace()
    }

    /// Calls `body` at each member's value with its key when the key is wanted (or `all`), else
    /// `nil`; `body` must consume the value.
    private mutating func forEachMember(all: Bool = false, _ body: (inout JSONKeyScanner, String?) throws -> Void) throws {
        guard current == UInt8(ascii: "{") else { throw Malformed() }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return }
        while true {
            guard current == UInt8(ascii: "\"") else { throw Malformed() }
            let key = all ? try decodedString() : try wantedString()
            try expect(UInt8(ascii: ":"))
            try body(&self, key)
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; skipWhitespace(); continue }
            if current == UInt8(ascii: "}") { index += 1; return }
            throw Malformed()
        }
    }

    /// Calls `body` at each element of an array; `body` must consume it.
    private mutating func forEachElement(_ body: (inout JSONKeyScanner) throws -> Void) throws {
        guard current == UInt8(ascii: "[") else { throw Malformed() }
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return }
        while true {
            try body(&self)
            skipWhitespace()
            if current == UInt8(ascii: ",") { index += 1; skipWhitespace(); continue }
            if current == UInt8(ascii: "]") { index += 1; return }
            throw Malformed()
        }
    }

    /// Skips one value: strings (escapes honoured) and nested brackets are matched; a scalar runs
    /// to the next delimiter.
    private mutating func skipValue() throws {
        guard let c = current else { throw Malformed() }
        switch c {
        case UInt8(ascii: "\""):
            _ = try stringEnd()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var closers: [UInt8] = []
            while index < bytes.count {
                let b = bytes[index]
                switch b {
                case UInt8(ascii: "\""): _ = try stringEnd(); continue
                case UInt8(ascii: "{"): closers.append(UInt8(ascii: "}"))
                case UInt8(ascii: "["): closers.append(UInt8(ascii: "]"))
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard closers.popLast() == b else { throw Malformed() }
                    if closers.isEmpty { index += 1; return }
                default: break
                }
                index += 1
            }
            throw Malformed()
        default:
            let start = index
            while index < bytes.count {
                let b = bytes[index]
                if b == UInt8(ascii: ",") || b == UInt8(ascii: "}") || b == UInt8(ascii: "]")
                    || b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { break }
                if b == UInt8(ascii: "\"") || b == UInt8(ascii: "{") || b == UInt8(ascii: "[") || b == UInt8(ascii: ":") { throw Malformed() }
                index += 1
            }
            guard index > start else { throw Malformed() }
        }
    }

    /// From an opening quote, moves past the closing one; returns whether the string held an escape.
    private mutating func stringEnd() throws -> Bool {
        index += 1
        var escaped = false
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") { index += 1; return escaped }
            if b == UInt8(ascii: "\\") { escaped = true; index += 2; continue }
            if b < 0x20 { throw Malformed() }
            index += 1
        }
        throw Malformed()
    }

    /// The string at `index` (consumed) when it is one of the wanted keys.
    private mutating func wantedString() throws -> String? {
        let start = index
        let escaped = try stringEnd()
        if escaped {
            guard let key = decoded(start) else { throw Malformed() }
            return candidates(length: key.utf8.count).contains { $0.utf8.elementsEqual(key.utf8) } ? key : nil
        }
        let length = index - start - 2
        let group = candidates(length: length)
        guard !group.isEmpty else { return nil }
        let raw = UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(index - 1)])
        for candidate in group where candidate.utf8.withUnsafeBytes({ $0.elementsEqual(raw) }) {
            return candidate.key
        }
        return nil
    }

    /// The string at `index` (consumed), decoded.
    private mutating func decodedString() throws -> String? {
        let start = index
        if try !stringEnd() {
            // No escape: the bytes are the string (validated as UTF-8).
            guard let key = String(validating: UnsafeRawBufferPointer(rebasing: bytes[(start + 1)..<(index - 1)]), as: UTF8.self) else { throw Malformed() }
            return key
        }
        guard let key = decoded(start) else { throw Malformed() }
        return key
    }

    private func decoded(_ start: Int) -> String? {
        (try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: bytes[start..<index])))?.stringValue
    }

    /// An integer value (consumed); any other value is skipped and gives `nil`.
    private mutating func integerOrSkip() throws -> Int? {
        let start = index
        var negative = false
        if current == UInt8(ascii: "-") { negative = true; index += 1 }
        var value = 0
        var digits = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let (scaled, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = scaled.addingReportingOverflow(Int(bytes[index] - UInt8(ascii: "0")))
            if o1 || o2 { index = start; try skipValue(); return nil }
            value = sum
            digits += 1
            index += 1
        }
        if let c = current, c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") || digits == 0 {
            index = start
            try skipValue()
            return nil
        }
        return negative ? -value : value
    }
}
