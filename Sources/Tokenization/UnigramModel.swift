import Foundation

/// The SentencePiece Unigram model of a `tokenizer.json` (`"type": "Unigram"`): pieces with log-probability
/// scores, segmented by Viterbi exactly as `tokenizers`' `Unigram::encode_optimized`.
///
/// For each start position (one character at a time) every vocabulary piece that is a prefix of the
/// rest is a lattice edge; a position with no single-character piece gets an `<unk>` edge scored
/// `min_score - 10`. The best path (highest total score, the first candidate kept on ties) is read
/// back; consecutive unknown characters fuse into one `<unk>` (tokenizers' `fuse_unk`, always on
/// for Unigram). A piece string missing from the vocabulary becomes `<0xXX>` byte pieces when
/// `byte_fallback` is on and they all exist, `<unk>` otherwise.
final class UnigramModel: @unchecked Sendable {
    let pieces: [String]
    let scores: [Double]
    /// Piece bytes -> id.
    let byBytes: [[UInt8]: Int]
    let unknownID: Int
    let byteFallback: Bool
    private let unknownScore: Double
    /// Byte trie of the pieces: children of a node are `edgeBytes/edgeTargets[edgeStart[n] ..< edgeStart[n + 1]]`
    /// (sorted by byte); `pieceAt[n]` is the id ending at node n or -1. The root's children are also
    /// in `rootChild` (one slot per byte).
    private let edgeStart: [Int32]
    private let edgeBytes: [UInt8]
    private let edgeTargets: [Int32]
    private let pieceAt: [Int32]
    private let rootChild: [Int32]
    /// `<0xXX>` id per byte (nil when missing).
    private let byteIDs: [Int?]

    // Keyed by bytes: Swift String equality is canonical equivalence ("é" == "e\u{301}").
    private var cache: [[UInt8]: [Int]] = [:]
    private let lock = NSLock()
    private static let cacheLimit = 100_000
    /// `K_UNK_PENALTY` in tokenizers' unigram model.
    static let unknownPenalty = 10.0

    init(pieces: [(String, Double)], unknownID: Int, byteFallback: Bool, file: String) throws {
        guard !pieces.isEmpty else { throw TokenizerError.unreadable(file: file, reason: "Unigram model with an empty vocab") }
        guard unknownID >= 0 && unknownID < pieces.count else {
            throw TokenizerError.unreadable(file: file, reason: "Unigram unk_id \(unknownID) outside the \(pieces.count)-piece vocab")
        }
        self.pieces = pieces.map(\.0)
        scores = pieces.map(\.1)
        // tokenizers' Unigram::from inserts in order, a repeated piece keeping its last id in the map.
        // Keyed by bytes: a String key would merge canonically equivalent pieces.
        var byBytes: [[UInt8]: Int] = [:]
        for (id, piece) in self.pieces.enumerated() { byBytes[Array(piece.utf8)] = id }
        self.byBytes = byBytes
        self.unknownID = unknownID
        self.byteFallback = byteFallback
        unknownScore = (scores.min() ?? 0) - Self.unknownPenalty
        byteIDs = (0..<256).map { byBytes[Array(String(format: "<0x%02X>", $0).utf8)] }

        // Build the trie with per-node dictionaries, then flatten.
        var children: [[UInt8: Int32]] = [[:]]
        var piece: [Int32] = [-1]
        for (bytes, id) in byBytes.sorted(by: { $0.value < $1.value }) where !bytes.isEmpty {
            var node = 0
            for b in bytes {
                if let next = children[node][b] { node = Int(next) } else {
                    children.append([:])
                    piece.append(-1)
                    children[node][b] = Int32(children.count - 1)
                    node = children.count - 1
                }
            }
            piece[node] = Int32(id)
        }
        var start: [Int32] = [0]
        var labels: [UInt8] = []
        var targets: [Int32] = []
        for node in children {
            for (b, t) in node.sorted(by: { $0.key < $1.key }) {
                labels.append(b)
                targets.append(t)
            }
            start.append(Int32(labels.count))
        }
        edgeStart = start
        edgeBytes = labels
        edgeTargets = targets
        pieceAt = piece
        var root = [Int32](repeating: -1, count: 256)
        for (b, t) in children[0] { root[Int(b)] = t }
        rootChild = root
    }

    @inline(__always) private func child(_ node: Int, _ byte: UInt8) -> Int {
        if node == 0 { return Int(rootChild[Int(byte)]) }
        var i = Int(edgeStart[node])
        let end = Int(edgeStart[node + 1])
        while i < end {
            let b = edgeBytes[i]
            if b == byte { return Int(edgeTargets[i]) }
            if b > byte { return -1 }
            i += 1
        }
        return -1
    }

    /// Ids of one pre-token (UTF-8 bytes of valid text).
    func encode(_ word: [UInt8]) -> [Int] {
        if word.isEmpty { return [] }
        lock.lock()
        if let hit = cache[word] { lock.unlock(); return hit }
        lock.unlock()
        let ids = viterbi(word)
        lock.lock()
        if cache.count < Self.cacheLimit { cache[word] = ids }
        lock.unlock()
        return ids
    }

    private func viterbi(_ s: [UInt8]) -> [Int] {
        let size = s.count
        var bestScore = [Double](repeating: 0, count: size + 1)
        var bestStart = [Int](repeating: -1, count: size + 1)
        var bestID = [Int](repeating: 0, count: size + 1)
        var start = 0
        while start < size {
            let here = bestScore[start]
            let charLength = Self.utf8Length(s[start])
            var hasSingle = false
            var node = 0
            var pos = start
            while pos < size {
                node = child(node, s[pos])
                if node < 0 { break }
                pos += 1
                let id = Int(pieceAt[node])
                if id >= 0 {
                    let candidate = scores[id] + here
                    if bestStart[pos] < 0 || candidate > bestScore[pos] {
                        bestScore[pos] = candidate
                        bestStart[pos] = start
                        bestID[pos] = id
                    }
                    if pos - start == charLength { hasSingle = true }
                }
            }
            let end = min(size, start + charLength)
            if !hasSingle {
                let candidate = unknownScore + here
                if bestStart[end] < 0 || candidate > bestScore[end] {
                    bestScore[end] = candidate
                    bestStart[end] = start
                    bestID[end] = unknownID
                }
            }
            start = end
        }
        // Back-track, fusing runs of unknowns into one piece string.
        var strings: [ArraySlice<UInt8>] = []
        var pending: Range<Int>?   // fused unknown bytes, growing leftwards
        var end = size
        while end > 0 {
            let begin = bestStart[end]
            if bestID[end] == unknownID {
                pending = begin..<(pending?.upperBound ?? end)
            } else {
                if let p = pending { strings.append(s[p]); pending = nil }
                strings.append(s[begin..<end])
            }
            end = begin
        }
        if let p = pending { strings.append(s[p]) }
        var ids: [Int] = []
        ids.reserveCapacity(strings.count)
        for piece in strings.reversed() {
            ids.append(contentsOf: lookup(piece))
        }
        return ids
    }

    /// `token_to_ids[piece]`, else its bytes as `<0xXX>` pieces (byte fallback), else `<unk>`.
    private func lookup(_ piece: ArraySlice<UInt8>) -> [Int] {
        if let id = trieLookup(piece) { return [id] }
        if byteFallback {
            var out: [Int] = []
            for b in piece {
                guard let id = byteIDs[Int(b)] else { return [unknownID] }
                out.append(id)
            }
            return out
        }
        return [unknownID]
    }

    private func trieLookup(_ piece: ArraySlice<UInt8>) -> Int? {
        var node = 0
        for b in piece {
            node = child(node, b)
            if node < 0 { return nil }
        }
        let id = Int(pieceAt[node])
        return id >= 0 ? id : nil
    }

    /// Length of the UTF-8 sequence starting with `lead` (1 for a stray continuation byte, which valid text never has).
    @inline(__always) static func utf8Length(_ lead: UInt8) -> Int {
        if lead < 0x80 { return 1 }
        if lead >> 5 == 0b110 { return 2 }
        if lead >> 4 == 0b1110 { return 3 }
        if lead >> 3 == 0b11110 { return 4 }
        return 1
    }
}
