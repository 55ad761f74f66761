/// The GPT-2 / RoBERTa pre-tokenization pattern, matched by hand over Unicode scalars:
///
///     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
///
/// The reference (`tokenizers`, Oniguruma) applies it with `find_iter` and keeps the matches
/// ("Isolated" split). Every scalar is a letter, a number, whitespace or "other", so the matches
/// tile the input with no gaps; the matcher below therefore only needs "the match starting here",
/// trying the alternatives in order as a backtracking regex engine does. It is hand-written because
/// Swift `Regex` lookahead on Linux is slow, and a hand matcher makes the character classes explicit:
/// - `\p{L}`: general categories Lu Ll Lt Lm Lo; `\p{N}`: Nd Nl No;
/// - `\s`: the Unicode `White_Space` property (Oniguruma's Unicode `\s`), so U+200B and U+FEFF,
///   which are format characters, are "other";
/// - the optional prefix is the ASCII space only (the pattern's literal ` `), not any whitespace.
public enum GPT2PreTokenizer {
    /// Splits `scalars` into the pattern's consecutive matches (half-open scalar index ranges).
    public static func split(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        while start < scalars.count {
            let end = matchEnd(scalars, at: start)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// Splits a string into its pre-tokens.
    public static func split(_ text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        return split(scalars).map { range in
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[range])
            return String(view)
        }
    }

    static func isLetter(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return true
        default: return false
        }
    }

    static func isNumber(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    static func isWhitespace(_ s: Unicode.Scalar) -> Bool { s.properties.isWhitespace }

    static func isOther(_ s: Unicode.Scalar) -> Bool { !isWhitespace(s) && !isLetter(s) && !isNumber(s) }

    /// End index of the match that starts at `i` (always > i).
    static func matchEnd(_ s: [Unicode.Scalar], at i: Int) -> Int {
        let n = s.count
        let c = s[i]
        // 's|'t|'re|'ve|'m|'ll|'d  (case-sensitive: "'S" is not a contraction)
        if c == "'" && i + 1 < n {
            switch s[i + 1] {
            case "s", "t", "m", "d": return i + 2
            case "r", "v": if i + 2 < n && s[i + 2] == "e" { return i + 3 }
            case "l": if i + 2 < n && s[i + 2] == "l" { return i + 3 }
            default: break
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: the optional space is taken only when the
        // class follows it (otherwise the engine backtracks to no space, and a space is never in
        // those classes, so the alternative fails).
        for cls in [isLetter, isNumber, isOther] as [(Unicode.Scalar) -> Bool] {
            var j = i
            if s[j] == " " && j + 1 < n && cls(s[j + 1]) { j += 1 }
            if cls(s[j]) {
                while j < n && cls(s[j]) { j += 1 }
                return j
            }
        }
        // `\s+(?!\S)`: the longest whitespace run not followed by a non-space, i.e. the whole run at
        // the end of the input, else the run minus its last character (which then joins the next
        // word as its optional space); `\s+` when that leaves nothing.
        var j = i
        while j < n && isWhitespace(s[j]) { j += 1 }
        if j == n { return j }
        if j - 1 > i { return j - 1 }
        return max(j, i + 1)
    }
}
