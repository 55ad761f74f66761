/// The result of encoding one text.
public struct Encoding: Equatable, Sendable {
    /// Token ids, `[sequence]`, framed as `<s> ... </s>` when special tokens are added.
    public var ids: [Int]
    /// The vocabulary string of each id (byte-level form, e.g. `Ġthe`), `[sequence]`.
    public var tokens: [String]
    /// 1 for real tokens, 0 for padding, `[sequence]`.
    public var attentionMask: [Int]
    /// Segment of each token (`token_type_ids`): 0 for the first text, 1 for a pair's second part
    /// in BERT's framing, 0 for padding; all 0 for RoBERTa. `[sequence]`.
    public var typeIDs: [Int]

    /// - Parameter typeIDs: nil for all zeros.
    public init(ids: [Int], tokens: [String], attentionMask: [Int], typeIDs: [Int]? = nil) {
        self.ids = ids
        self.tokens = tokens
        self.attentionMask = attentionMask
        self.typeIDs = typeIDs ?? [Int](repeating: 0, count: ids.count)
    }

    /// Indices of every occurrence of `id` (e.g. the mask token's positions for fill-mask).
    public func positions(of id: Int) -> [Int] {
        ids.indices.filter { ids[$0] == id }
    }
}

/// A padded batch of encodings, all of the same length.
public struct BatchEncoding: Equatable, Sendable {
    /// `[batch][sequence]`.
    public var encodings: [Encoding]

    /// `[batch][sequence]` token ids (padded with the pad id).
    public var inputIDs: [[Int]] { encodings.map(\.ids) }
    /// `[batch][sequence]`, 1 for real tokens, 0 for padding.
    public var attentionMask: [[Int]] { encodings.map(\.attentionMask) }
    /// `[batch][sequence]` token type ids.
    public var tokenTypeIDs: [[Int]] { encodings.map(\.typeIDs) }
    /// The common (padded) sequence length; 0 for an empty batch.
    public var sequenceLength: Int { encodings.first?.ids.count ?? 0 }

    public init(encodings: [Encoding]) { self.encodings = encodings }

    /// Pads `encodings` to the longest, rounded up to a multiple of `padToMultipleOf` (transformers'
    /// `padding=True, pad_to_multiple_of=`): the pad id and token, attention mask 0, type id 0, on the
    /// right unless `onTheLeft` (the tokenizer's `padding_side`).
    public init(padding encodings: [Encoding], padID: Int, padToken: String, toMultipleOf padToMultipleOf: Int?,
                onTheLeft: Bool = false) {
        var length = encodings.map(\.ids.count).max() ?? 0
        if let m = padToMultipleOf, m > 0, length % m != 0 { length += m - length % m }
        self.encodings = encodings.map { encoding in
            let missing = length - encoding.ids.count
            guard missing > 0 else { return encoding }
            func pad<T>(_ values: [T], _ value: T) -> [T] {
                let filler = [T](repeating: value, count: missing)
                return onTheLeft ? filler + values : values + filler
            }
            return Encoding(ids: pad(encoding.ids, padID), tokens: pad(encoding.tokens, padToken),
                            attentionMask: pad(encoding.attentionMask, 0), typeIDs: pad(encoding.typeIDs, 0))
        }
    }
}
