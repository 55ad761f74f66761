import Testing
import TestSupport
@testable import Tokenization

/// Hand-worked splits of the GPT-2 pattern and the byte alphabet (derived from the pattern's
/// definition, independently of the fixtures).
@Suite("GPT-2 pre-tokenizer and byte alphabet")
struct PreTokenizerTests {
    @Test func contractionsAndWords() {
        #expect(GPT2PreTokenizer.split("She's here") == ["She", "'s", " here"])
        #expect(GPT2PreTokenizer.split("IT'S") == ["IT", "'", "S"])          // case-sensitive contractions
        #expect(GPT2PreTokenizer.split("we'll 'd") == ["we", "'ll", " '", "d"])
    }

    @Test func whitespaceRuns() {
        // A run before a word gives its last space to the word; a run at the end stays whole.
        #expect(GPT2PreTokenizer.split("a   b") == ["a", "  ", " b"])
        #expect(GPT2PreTokenizer.split("a  ") == ["a", "  "])
        #expect(GPT2PreTokenizer.split("a\tb") == ["a", "\t", "b"])            // only U+0020 is the optional prefix
        #expect(GPT2PreTokenizer.split("a \n b") == ["a", " \n", " b"])
        #expect(GPT2PreTokenizer.split(" ") == [" "])
    }

    @Test func classes() {
        #expect(GPT2PreTokenizer.split("abc123 4.5!?") == ["abc", "123", " 4", ".", "5", "!?"])
        #expect(GPT2PreTokenizer.split("東京は 😀😀") == ["東京は", " 😀😀"])
        #expect(GPT2PreTokenizer.split("x\u{200B}y") == ["x", "\u{200B}", "y"])  // ZWSP is not White_Space
    }

    @Test func byteAlphabet() {
        #expect(ByteLevelAlphabet.encode(Array(" the".utf8)) == "Ġthe")
        #expect(ByteLevelAlphabet.encode([0x0A]) == "Ċ")
        #expect(ByteLevelAlphabet.encode([0x00]) == "\u{100}")
        #expect(ByteLevelAlphabet.encode([0xAD]) == "\u{143}")   // the last non-printable byte
        #expect(Set(ByteLevelAlphabet.scalarForByte).count == 256)
    }
}

@Suite("Vocabulary lookups")
struct VocabularyLookupTests {
    @Test func tokenIDRoundTrip() throws {
        let tokenizer = try RobertaTokenizer(folder: Fixtures.url("tokenizer/roberta-bpe"))
        #expect(tokenizer.id(forToken: "<mask>") == 700)
        #expect(tokenizer.id(forToken: "Ġthe") == 270)   // as recorded: "Paris is the <mask>" -> ... 270
        #expect(tokenizer.token(forID: 270) == "Ġthe")
        #expect(tokenizer.token(forID: 99_999) == nil)
        #expect(tokenizer.isSpecial(0) && tokenizer.isSpecial(700) && !tokenizer.isSpecial(270))
    }
}
