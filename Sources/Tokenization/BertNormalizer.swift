import Foundation

/// `tokenizers`' `BertNormalizer`, applied in its order: clean_text, handle_chinese_chars,
/// strip_accents, lowercase. Works on Unicode scalars (as Rust works on chars), never on Swift
/// `Character`s, whose canonical equivalence would merge precomposed and decomposed accents.
struct BertNormalizer: Sendable, Equatable {
    /// Remove control characters (and NUL, U+FFFD), turn every whitespace into U+0020.
    var cleanText = true
    /// Put a space on both sides of each CJK ideograph.
    var handleChineseChars = true
    /// NFD, then drop the nonspacing marks.
    var stripAccents = false
    /// Full lowercase mapping of each character (Rust `char::to_lowercase`, no context rules).
    var lowercase = true

    /// The effective accent stripping of a `strip_accents` setting: `null` follows `lowercase`
    /// (`BertNormalizer`: `strip_accents.unwrap_or(lowercase)`, as the original BERT did).
    static func stripsAccents(_ setting: Bool?, lowercase: Bool) -> Bool { setting ?? lowercase }

    func normalize(_ input: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var s = input
        if cleanText {
            s = s.compactMap { c in
                if c.value == 0 || c.value == 0xFFFD || Self.isControl(c) { return nil }
                return Self.isWhitespace(c) ? " " : c
            }
        }
        if handleChineseChars && s.contains(where: Self.isChineseChar) {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.count + 8)
            for c in s {
                if Self.isChineseChar(c) { out += [" ", c, " "] } else { out.append(c) }
            }
            s = out
        }
        if stripAccents && s.contains(where: { !$0.isASCII }) {
            s = Self.decomposedWithoutNonspacingMarks(s)
        }
        if lowercase {
            var out: [Unicode.Scalar] = []
            out.reserveCapacity(s.count)
            for c in s {
                if c.isASCII {
                    out.append(c.value >= 65 && c.value <= 90 ? Unicode.Scalar(c.value + 32)! : c)
                } else {
                    out.append(contentsOf: c.properties.lowercaseMapping.unicodeScalars)
                }
            }
            s = out
        }
        return s
    }

    /// NFD, then the Mn characters removed. Characters newer than the reference's Unicode 8.0 tables
    /// are left whole (they have no decomposition and, being unknown, a combining class of 0 there,
    /// so they also stop canonical reordering): the text is decomposed in runs between them.
    static func decomposedWithoutNonspacingMarks(_ s: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count + 4)
        var run = String.UnicodeScalarView()
        func flush() {
            guard !run.isEmpty else { return }
            out += String(run).decomposedStringWithCanonicalMapping.unicodeScalars
                .filter { !RustUnicodeCategories.isNonspacingMark($0) }
            run = String.UnicodeScalarView()
        }
        for c in s {
            if c.isASCII || RustUnicodeCategories.assignedBy8(c) {
                run.append(c)
            } else {
                flush()
                if !RustUnicodeCategories.isNonspacingMark(c) { out.append(c) }
            }
        }
        flush()
        return out
    }

    /// tab, newline and carriage return count as whitespace, not as controls.
    static func isWhitespace(_ c: Unicode.Scalar) -> Bool {
        c == "\t" || c == "\n" || c == "\r" || c.properties.isWhitespace
    }

    static func isControl(_ c: Unicode.Scalar) -> Bool {
        if c == "\t" || c == "\n" || c == "\r" { return false }
        return RustUnicodeCategories.isOther(c)
    }

    /// The CJK blocks of `tokenizers`' `is_chinese_char`. Its Extension-D range starts at U+2B920,
    /// not U+2B820 as in Google's BERT, so U+2B820-U+2B91F are not padded.
    static func isChineseChar(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
