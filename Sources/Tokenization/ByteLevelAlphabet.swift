/// GPT-2's reversible byte <-> printable-character mapping (`bytes_to_unicode` in the reference).
///
/// Printable Latin-1 bytes map to themselves; the other 68 bytes (controls, space, 0x7F-0xA0, 0xAD)
/// map, in byte order, to U+0100, U+0101, ... so that every token of the vocabulary is a visible
/// string (space 0x20 becomes `Ġ` U+0120, newline 0x0A becomes `Ċ` U+010A).
public enum ByteLevelAlphabet {
    /// `scalar[byte]`: the character standing for each byte.
    public static let scalarForByte: [Unicode.Scalar] = {
        var printable = [Bool](repeating: false, count: 256)
        for b in 0x21...0x7E { printable[b] = true }   // '!' ... '~'
        for b in 0xA1...0xAC { printable[b] = true }   // '¡' ... '¬'
        for b in 0xAE...0xFF { printable[b] = true }   // '®' ... 'ÿ'
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            if printable[b] {
                table[b] = Unicode.Scalar(UInt8(b))
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The inverse mapping: character -> byte.
    public static let byteForScalar: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (b, s) in scalarForByte.enumerated() { map[s] = UInt8(b) }
        return map
    }()

    /// The byte-level string of some UTF-8 bytes (e.g. `" the"` -> `"Ġthe"`).
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(scalarForByte[Int(b)]) }
        return String(s)
    }
}
