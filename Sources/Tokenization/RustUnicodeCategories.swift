/// The general-category tests of the `unicode_categories` Rust crate (0.1.1), which `tokenizers`'
/// BertNormalizer and BertPreTokenizer use (every version up to at least 0.23).
///
/// The crate's tables are Unicode 8.0: a character assigned later is in no category there (so it is
/// never removed as a control, never split as punctuation, never stripped as an accent), and a few
/// characters have changed category since. Measured over every code point against tokenizers
/// 0.15.2 and 0.23.3 (`fixtures/tokenizer/wordpiece/unicode-*.json`); Swift's own properties are
/// the current Unicode, hence the age gate and the exceptions below.
enum RustUnicodeCategories {
    /// Characters whose category in Unicode 8.0 differs from today's for the tests here.
    /// U+166D CANADIAN SYLLABICS CHI SIGN and U+111C9 SHARADA SANDHI MARK were Po (now So / Mn);
    /// U+1734 HANUNOO SIGN PAMUDPOD and U+1171E AHOM CONSONANT SIGN MEDIAL RA were Mn (now Mc);
    /// U+1885/U+1886 MONGOLIAN ALI GALI BALUDA were Lo and U+A9BD JAVANESE CONSONANT SIGN KERET Mc
    /// (now Mn).
    private static let punctuationIn8: Set<UInt32> = [0x166D, 0x111C9]
    private static let nonspacingMarkIn8: Set<UInt32> = [0x1734, 0x1171E]
    private static let notNonspacingMarkIn8: Set<UInt32> = [0x1885, 0x1886, 0x111C9, 0xA9BD]

    /// Whether the scalar existed in Unicode 8.0. The NFD tables of the normalization crate are as
    /// old: a later character (e.g. U+11938 DIVES AKURU VOWEL SIGN O, Unicode 13) is not decomposed.
    static func assignedBy8(_ s: Unicode.Scalar) -> Bool {
        guard let age = s.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    /// `is_other`: Cc, Cf, Co (private use) or Cs; unassigned code points (Cn) are not included.
    static func isOther(_ s: Unicode.Scalar) -> Bool {
        switch s.properties.generalCategory {
        case .privateUse, .surrogate: return true   // stable: private-use ranges never change
        case .control, .format: return assignedBy8(s)
        default: return false
        }
    }

    /// `is_punctuation`: Pc, Pd, Ps, Pe, Pi, Pf, Po.
    static func isPunctuation(_ s: Unicode.Scalar) -> Bool {
        if punctuationIn8.contains(s.value) { return true }
        switch s.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
             .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return assignedBy8(s)
        default: return false
        }
    }

    /// `is_mark_nonspacing`: Mn.
    static func isNonspacingMark(_ s: Unicode.Scalar) -> Bool {
        if nonspacingMarkIn8.contains(s.value) { return true }
        if notNonspacingMarkIn8.contains(s.value) { return false }
        return s.properties.generalCategory == .nonspacingMark && assignedBy8(s)
    }
}
