/// `tokenizers`' `WordPiece` model: greedy longest-match-first over a word, continuation pieces
/// looked up with the `##` prefix; a word with a piece not in the vocabulary, or longer than
/// `maxInputCharsPerWord` characters (Unicode scalars), becomes the single unknown token.
struct WordPieceModel: Sendable {
    /// Vocabulary keyed by UTF-8 bytes: Swift `String` keys compare by canonical equivalence and
    /// would merge `é` with `e` + U+0301, which the reference keeps apart.
    let idByBytes: [[UInt8]: Int]
    let tokenByID: [Int: String]
    let unknownID: Int
    let continuingSubwordPrefix: [UInt8]
    let maxInputCharsPerWord: Int

    init(vocabulary: [(token: String, id: Int)], unknownToken: String, continuingSubwordPrefix: String,
         maxInputCharsPerWord: Int, file: String) throws {
        var byBytes: [[UInt8]: Int] = [:]
        var byID: [Int: String] = [:]
        for (token, id) in vocabulary {
            byBytes[Array(token.utf8)] = id
            byID[id] = token
        }
        guard let unk = byBytes[Array(unknownToken.utf8)] else {
            // The reference fails at encode time (`MissingUnkToken`); we refuse the file up front.
            throw TokenizerError.unreadable(file: file, reason: "the unknown token \(unknownToken.debugDescription) is not in the vocabulary")
        }
        idByBytes = byBytes
        tokenByID = byID
        unknownID = unk
        self.continuingSubwordPrefix = Array(continuingSubwordPrefix.utf8)
        self.maxInputCharsPerWord = maxInputCharsPerWord
    }

    func id(forToken token: String) -> Int? { idByBytes[Array(token.utf8)] }

    /// The ids of one pre-tokenized word.
    func encode(word: ArraySlice<Unicode.Scalar>) -> [Int] {
        if word.count > maxInputCharsPerWord { return [unknownID] }
        // UTF-8 of the word and the byte offset where each scalar starts.
        var bytes: [UInt8] = []
        var boundaries: [Int] = []
        for s in word {
            boundaries.append(bytes.count)
            UTF8.encode(s) { bytes.append($0) }
        }
        boundaries.append(bytes.count)
        var ids: [Int] = []
        var start = 0   // index into boundaries
        let last = boundaries.count - 1
        while start < last {
            var end = last
            var found: Int?
            while start < end {
                var key = start > 0 ? continuingSubwordPrefix : []
                key.append(contentsOf: bytes[boundaries[start]..<boundaries[end]])
                if let id = idByBytes[key] { found = id; break }
                end -= 1
            }
            guard let id = found else { return [unknownID] }
            ids.append(id)
            start = end
        }
        return ids
    }
}
