/// How `tokenizers` truncates one or two encodings to a length (transformers' `truncation=`).
public enum TruncationStrategy: String, Sendable, CaseIterable {
    /// Take from the longer sequence first (`truncation=True`).
    case longestFirst = "longest_first"
    /// Only truncate the first sequence; an error when it is too short.
    case onlyFirst = "only_first"
    /// Only truncate the second sequence; an error without one or when it is too short.
    case onlySecond = "only_second"
}

/// Which end truncation removes ids from (transformers' `truncation_side`).
public enum TruncationSide: String, Sendable {
    case right, left
}

/// `tokenizers`' `truncate_encodings` (0.15-0.23) on the content ids, before special tokens.
enum Truncation {
    /// - Parameter maxLength: the room left for content (the requested length minus the special tokens).
    static func truncate(_ first: [Int], _ second: [Int]?, maxLength: Int, strategy: TruncationStrategy,
                         side: TruncationSide) throws -> ([Int], [Int]?) {
        func cut(_ ids: [Int], _ n: Int) -> [Int] {
            guard ids.count > n else { return ids }
            return side == .right ? Array(ids.prefix(n)) : Array(ids.suffix(n))
        }
        if maxLength == 0 { return (cut(first, 0), second.map { cut($0, 0) }) }
        let total = first.count + (second?.count ?? 0)
        guard total > maxLength else { return (first, second) }
        let toRemove = total - maxLength
        switch strategy {
        case .longestFirst:
            guard let second else { return (cut(first, maxLength), nil) }
            // Shorter length n1, longer n2: keep the shorter whole when it fits in half, else halve.
            var n1 = first.count, n2 = second.count
            let swap = n1 > n2
            if swap { Swift.swap(&n1, &n2) }
            n2 = n1 > maxLength ? n1 : max(n1, maxLength - n1)
            if n1 + n2 > maxLength {
                n1 = maxLength / 2
                n2 = n1 + maxLength % 2
            }
            if swap { Swift.swap(&n1, &n2) }
            return (cut(first, n1), cut(second, n2))
        case .onlyFirst:
            guard first.count > toRemove else { throw TokenizerError.truncation("the first sequence is too short to remove \(toRemove) ids") }
            return (cut(first, first.count - toRemove), second)
        case .onlySecond:
            guard let second else { throw TokenizerError.truncation("only_second needs a second sequence") }
            guard second.count > toRemove else { throw TokenizerError.truncation("the second sequence is too short to remove \(toRemove) ids") }
            return (first, cut(second, second.count - toRemove))
        }
    }
}
