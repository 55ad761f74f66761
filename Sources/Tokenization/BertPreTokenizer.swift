/// `tokenizers`' `BertPreTokenizer`: splits on whitespace (removed) and isolates every punctuation
/// character (ASCII punctuation, which includes symbols such as `$ + < = > ^ \` | ~`, or a Unicode P*
/// category in the Rust crate's Unicode 8.0 tables).
enum BertPreTokenizer {
    /// The words of `text`, in order, none empty.
    static func split(_ text: [Unicode.Scalar]) -> [ArraySlice<Unicode.Scalar>] {
        var words: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for (i, c) in text.enumerated() {
            if c.properties.isWhitespace {
                if start < i { words.append(text[start..<i]) }
                start = i + 1
            } else if isPunctuation(c) {
                if start < i { words.append(text[start..<i]) }
                words.append(text[i...i])
                start = i + 1
            }
        }
        if start < text.count { words.append(text[start...]) }
        return words
    }

    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII {
            switch c.value {
            case 0x21...0x2F, 0x3A...0x40, 0x5B...0x60, 0x7B...0x7E: return true
            default: return false
            }
        }
        return RustUnicodeCategories.isPunctuation(c)
    }
}
