/// The text clean-ups applied after decoding, written with code-point replacement (Python's and
/// Rust's `replace`); Foundation's `replacingOccurrences` compares composed characters and would
/// differ next to combining marks.
enum TokenizationCleanUp {
    /// transformers' `clean_up_tokenization`: removes the space before some punctuation and English
    /// contractions, in this order.
    static func transformers(_ text: String) -> String {
        replacing(text, [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                         (" 'm", "'m"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")])
    }

    /// `tokenizers`' `decoders::wordpiece::cleanup`, applied to each token (with its leading space):
    /// the same list as transformers' plus `" do not"` -> `" don't"`.
    static func wordPieceDecoder(_ token: String) -> String {
        replacing(token, [(" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"),
                          (" 'm", "'m"), (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re")])
    }

    static func replacing(_ text: String, _ rules: [(String, String)]) -> String {
        var s = Array(text.unicodeScalars)
        for (from, to) in rules {
            s = replaceScalars(s, Array(from.unicodeScalars), Array(to.unicodeScalars))
        }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s)
        return String(view)
    }

    /// Left to right, non-overlapping, as `str.replace`.
    static func replaceScalars(_ s: [Unicode.Scalar], _ from: [Unicode.Scalar], _ to: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard s.count >= from.count else { return s }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(s.count)
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
        return out
    }
}
