import Foundation

/// SentencePiece's compiled normalization rules (`normalizer_spec.precompiled_charsmap`, base64 in a
/// `tokenizer.json` `Precompiled` normalizer), applied as Hugging Face `tokenizers` does.
///
/// Layout (sentencepiece `normalizer.cc` / the `spm_precompiled` crate): a little-endian `u32` byte
/// size of the trie, the trie as that many bytes of little-endian `u32` darts-clone double-array
/// units, then the pool of replacement strings, each NUL-terminated UTF-8; a trie leaf's value is a
/// byte offset into that pool.
///
/// The whole structure is validated once at load (every reachable unit in range, every leaf value
/// inside the pool, the pool valid UTF-8), so lookups never index out of bounds.
struct PrecompiledCharsMap: Sendable {
    private let units: [UInt32]
    private let pool: [UInt8]

    /// - Parameter file: for error messages.
    init(bytes: [UInt8], file: String) throws {
        func fail(_ reason: String) -> TokenizerError {
            .unreadable(file: file, reason: "Precompiled normalizer: precompiled_charsmap \(reason)")
        }
        guard bytes.count >= 4 else { throw fail("has \(bytes.count) bytes, fewer than its 4-byte header") }
        let trieSize = Int(UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24)
        guard trieSize % 4 == 0 else { throw fail("declares a trie of \(trieSize) bytes, not a multiple of 4") }
        guard trieSize <= bytes.count - 4 else {
            throw fail("declares a trie of \(trieSize) bytes but only \(bytes.count - 4) follow the header")
        }
        guard trieSize >= 4 else { throw fail("has an empty trie") }
        var units = [UInt32](repeating: 0, count: trieSize / 4)
        for i in units.indices {
            let o = 4 + 4 * i
            units[i] = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
        }
        let pool = Array(bytes[(4 + trieSize)...])
        // spm_precompiled reads the pool as a Rust String: invalid UTF-8 is refused there too.
        guard String(validating: pool, as: UTF8.self) != nil else { throw fail("has a replacement pool that is not UTF-8") }
        self.units = units
        self.pool = pool
        try validate(fail)
    }

    // darts-clone unit fields (darts.h `DoubleArrayUnit`).
    @inline(__always) private static func hasLeaf(_ u: UInt32) -> Bool { (u >> 8) & 1 == 1 }
    @inline(__always) private static func value(_ u: UInt32) -> Int { Int(u & 0x7FFF_FFFF) }
    @inline(__always) private static func label(_ u: UInt32) -> UInt32 { u & (0x8000_0000 | 0xFF) }
    @inline(__always) private static func offset(_ u: UInt32) -> Int { Int((u >> 10) << ((u & (1 << 9)) >> 6)) }

    /// Walks every node reachable from the root (children are found by trying each byte label), checking
    /// that each transition and leaf unit is in range and that every leaf's value is a pool offset.
    private func validate(_ fail: (String) -> TokenizerError) throws {
        let count = units.count
        let poolCount = pool.count
        var problem: String?
        units.withUnsafeBufferPointer { u in
            var seen = [Bool](repeating: false, count: count)
            var stack = [0]
            seen[0] = true
            while let node = stack.popLast(), problem == nil {
                let base = node ^ Self.offset(u[node])
                // Children have base ^ c < count; labels are 1...255 (0 is the leaf slot).
                for c in 1...255 {
                    let child = base ^ c
                    guard child < count else { continue }
                    let unit = u[child]
                    guard Self.label(unit) == UInt32(c) else { continue }
                    let next = child ^ Self.offset(unit)
                    guard next < count else {
                        problem = "has a transition to unit \(next) beyond the \(count)-unit trie"
                        break
                    }
                    if Self.hasLeaf(unit), Self.value(u[next]) >= poolCount {
                        problem = "has a leaf value \(Self.value(u[next])) beyond the \(poolCount)-byte pool"
                        break
                    }
                    if !seen[child] {
                        seen[child] = true
                        stack.append(child)
                    }
                }
            }
        }
        if let problem { throw fail(problem) }
    }

    /// The replacement of the shortest rule that is a prefix of `key`, or nil. Mirrors
    /// `spm_precompiled::Precompiled::transform`: `common_prefix_search(key)[0]`, i.e. the *first*
    /// (shortest) match, not the longest, and the replacement stands for the whole `key`.
    func transform(_ key: UnsafeBufferPointer<UInt8>) -> ArraySlice<UInt8>? {
        var node = Self.offset(units[0])
        for c in key {
            if c == 0 { break }   // darts-clone keys end at NUL
            node ^= Int(c)
            guard node < units.count else { return nil }
            let unit = units[node]
            if Self.label(unit) != UInt32(c) { return nil }
            node ^= Self.offset(unit)
            guard node < units.count else { return nil }
            if Self.hasLeaf(unit) {
                let start = Self.value(units[node])   // < pool.count: checked by validate()
                var end = start
                while end < pool.count && pool[end] != 0 { end += 1 }
                return pool[start..<end]
            }
        }
        return nil
    }

    /// Normalizes `text` as `tokenizers`' `Precompiled` normalizer: per extended grapheme cluster, a
    /// cluster shorter than 6 UTF-8 bytes is looked up whole; otherwise (or when the whole cluster has
    /// no rule) each of its characters is looked up alone and kept when it has none.
    func normalize(_ text: String) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var scratch: [UInt8] = []
        for grapheme in text {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: grapheme.utf8)
            if scratch.count < 6, let rule = scratch.withUnsafeBufferPointer({ transform($0) }) {
                out.append(contentsOf: rule)
                continue
            }
            var start = 0
            for scalar in grapheme.unicodeScalars {
                let length = UTF8.width(scalar)
                let rule = scratch.withUnsafeBufferPointer {
                    transform(UnsafeBufferPointer(rebasing: $0[start..<(start + length)]))
                }
                if let rule { out.append(contentsOf: rule) } else { out.append(contentsOf: scratch[start..<(start + length)]) }
                start += length
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
