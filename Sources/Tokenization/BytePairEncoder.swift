import Foundation

/// The BPE model of a byte-level tokenizer: vocabulary, ranked merges, and a per-word cache.
///
/// A word (one pre-token, as UTF-8 bytes) starts as one symbol per byte (the vocabulary's
/// byte-level character for it); merges are then applied lowest rank first, leftmost first among
/// equal ranks, until none applies. This is the order of `tokenizers`' `Word::merge_all` priority
/// queue (rank, then position), which for trained merge lists also equals GPT-2's "merge every
/// occurrence of the best pair" loop.
final class BytePairEncoder: @unchecked Sendable {
    let vocabulary: [String: Int]
    let tokenForID: [Int: String]
    /// Symbol id of each byte's single-character token (nil if the vocabulary lacks it).
    private let byteSymbol: [Int?]
    /// (left id << 32 | right id) -> (rank, merged id).
    private let merges: [UInt64: (rank: Int, id: Int)]
    private let unknownID: Int?
    /// `ignore_merges` (tokenizers >= 0.19): a word already in the vocabulary is one token.
    private let ignoreMerges: Bool

    // Keyed by bytes, not String: Swift String equality is canonical equivalence, and "é" and
    // "e\u{301}" are different words with different tokens.
    private var cache: [[UInt8]: [Int]] = [:]
    private let lock = NSLock()
    private static let cacheLimit = 100_000

    init(vocabulary: [String: Int], merges: [(String, String)], unknownToken: String?,
         ignoreMerges: Bool = false, file: String) throws {
        self.vocabulary = vocabulary
        var reverse: [Int: String] = [:]
        for (token, id) in vocabulary { reverse[id] = token }
        tokenForID = reverse
        byteSymbol = ByteLevelAlphabet.scalarForByte.map { vocabulary[String(Character($0))] }
        var table: [UInt64: (rank: Int, id: Int)] = [:]
        for (rank, (a, b)) in merges.enumerated() {
            guard let left = vocabulary[a], let right = vocabulary[b], let merged = vocabulary[a + b] else {
                throw TokenizerError.invalidMerge(file: file, line: rank + 1, merge: "\(a) \(b)")
            }
            let key = UInt64(UInt32(left)) << 32 | UInt64(UInt32(right))
            if table[key] == nil { table[key] = (rank, merged) }
        }
        self.merges = table
        unknownID = unknownToken.flatMap { vocabulary[$0] }
        self.ignoreMerges = ignoreMerges
    }

    /// Token ids of one pre-token given as UTF-8 bytes.
    func encode(word: [UInt8]) -> [Int] {
        lock.lock()
        if let hit = cache[word] { lock.unlock(); return hit }
        lock.unlock()
        let ids = merge(word)
        lock.lock()
        if cache.count < Self.cacheLimit { cache[word] = ids }
        lock.unlock()
        return ids
    }

    private func merge(_ word: [UInt8]) -> [Int] {
        if ignoreMerges, let id = vocabulary[ByteLevelAlphabet.encode(word)] { return [id] }
        var symbols: [Int] = []
        symbols.reserveCapacity(word.count)
        for b in word {
            if let id = byteSymbol[Int(b)] {
                symbols.append(id)
            } else if let unk = unknownID {
                symbols.append(unk)
            }   // no unk token: the reference drops the character
        }
        while symbols.count > 1 {
            var bestRank = Int.max
            var bestIndex = -1
            var bestID = 0
            for i in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[i])) << 32 | UInt64(UInt32(symbols[i + 1]))
                if let m = merges[key], m.rank < bestRank {
                    bestRank = m.rank
                    bestIndex = i
                    bestID = m.id
                }
            }
            if bestIndex < 0 { break }
            symbols[bestIndex] = bestID
            symbols.remove(at: bestIndex + 1)
        }
        return symbols
    }
}
