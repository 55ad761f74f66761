/// Splits text on added tokens exactly as `tokenizers` 0.15's `AddedVocabulary` does.
///
/// Two passes (`extract_and_normalize`): first the tokens with `normalized == false` are matched on
/// the raw text, then the `normalized == true` ones on the remaining pieces (RoBERTa has no
/// normalizer, so "normalized" text is the raw text, but the two passes still matter for overlaps
/// and for `lstrip`, which only looks inside the current piece). Each pass is an Aho-Corasick
/// search with leftmost-longest semantics; options are applied per match as in `find_matches`:
/// `single_word` drops a match touching a word character (`\w`), `lstrip`/`rstrip` widen the
/// match over adjacent whitespace (never before the end of the previous match).
struct AddedTokenSplitter: Sendable {
    /// A piece of the input: either text still to be tokenized, or an added token.
    enum Piece: Equatable {
        case text([Unicode.Scalar])
        case token(Int)
    }

    private struct Pattern: Sendable {
        let scalars: [Unicode.Scalar]
        let token: AddedToken
    }

    private let rawPatterns: [Pattern]
    private let normalizedPatterns: [Pattern]
    private let normalize: (@Sendable ([Unicode.Scalar]) -> [Unicode.Scalar])?

    /// - Parameter normalize: the tokenizer's normalizer. The text left by the first pass is
    ///   normalized before the second, and `normalized` tokens are matched by their normalized
    ///   content (`AddedVocabulary::refresh_added_tokens`), so with BERT's lowercasing `NewTok`
    ///   matches `newtok` and `NEWTOK`. The text pieces returned are then normalized text.
    init(tokens: [AddedToken], normalize: (@Sendable ([Unicode.Scalar]) -> [Unicode.Scalar])? = nil) {
        self.normalize = normalize
        // The reference's trie order: special tokens first, then the others (ties in length at the
        // same position cannot happen between distinct contents, so order only matters for dupes).
        let ordered = tokens.filter(\.special) + tokens.filter { !$0.special }
        let usable = ordered.filter { !$0.content.isEmpty }
        rawPatterns = usable.filter { !$0.normalized }.map { Pattern(scalars: Array($0.content.unicodeScalars), token: $0) }
        normalizedPatterns = usable.filter(\.normalized).compactMap { token in
            let scalars = normalize?(Array(token.content.unicodeScalars)) ?? Array(token.content.unicodeScalars)
            return scalars.isEmpty ? nil : Pattern(scalars: scalars, token: token)
        }
    }

    /// The pieces of `text`, in order, with empty text pieces removed (as `PreTokenizedString.split` does).
    func split(_ text: String) -> [Piece] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [Piece] = []
        for piece in findMatches(scalars, rawPatterns) {
            if case .text(let t) = piece {
                pieces.append(contentsOf: findMatches(normalize?(t) ?? t, normalizedPatterns))
            } else {
                pieces.append(piece)
            }
        }
        return pieces.filter { if case .text(let t) = $0 { return !t.isEmpty } else { return true } }
    }

    /// Rust regex `\w` (Unicode): Alphabetic, marks, decimal numbers, connector punctuation, join controls.
    private static func isWordCharacter(_ s: Unicode.Scalar) -> Bool {
        let p = s.properties
        if p.isAlphabetic || p.isJoinControl { return true }
        switch p.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }

    private func longestMatch(_ s: [Unicode.Scalar], at i: Int, _ patterns: [Pattern]) -> Pattern? {
        var best: Pattern?
        for p in patterns where p.scalars.count <= s.count - i && (best == nil || p.scalars.count > best!.scalars.count) {
            var ok = true
            for (k, c) in p.scalars.enumerated() where s[i + k] != c { ok = false; break }
            if ok { best = p }
        }
        return best
    }

    private func findMatches(_ s: [Unicode.Scalar], _ patterns: [Pattern]) -> [Piece] {
        if s.isEmpty || patterns.isEmpty { return [.text(s)] }
        var pieces: [Piece] = []
        var startOffset = 0
        var i = 0
        while i < s.count {
            guard let pattern = longestMatch(s, at: i, patterns) else { i += 1; continue }
            var start = i
            var stop = i + pattern.scalars.count
            // Aho-Corasick resumes after the match whether or not it is kept.
            i = stop
            let token = pattern.token
            if token.singleWord {
                let startSpace = start == 0 || !Self.isWordCharacter(s[start - 1])
                let stopSpace = stop == s.count || !Self.isWordCharacter(s[stop])
                if !startSpace || !stopSpace { continue }
            }
            if token.lstrip {
                var newStart = start
                while newStart > 0 && s[newStart - 1].properties.isWhitespace { newStart -= 1 }
                start = max(newStart, startOffset)
            }
            if token.rstrip {
                while stop < s.count && s[stop].properties.isWhitespace { stop += 1 }
                i = max(i, stop)
            }
            if startOffset < start { pieces.append(.text(Array(s[startOffset..<start]))) }
            pieces.append(.token(token.id))
            startOffset = stop
        }
        if startOffset != s.count { pieces.append(.text(Array(s[startOffset...]))) }
        return pieces
    }
}
