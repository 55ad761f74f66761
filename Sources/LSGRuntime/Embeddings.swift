// Encoder / LSG embeddings: word + token type + positions (RoBERTa's padding-aware ones or BERT's
// arange), globals prepended, LayerNorm.

/// `embeddings.*`.
struct Embeddings: Sendable {
    let word: Weight
    let position: Weight
    let tokenType: Weight
    /// `global_embeddings.weight [512, hidden]` for LSG models.
    let global: Weight?
    let norm: LayerNorm
    let hidden: Int
    let padTokenId: Int
    /// The family's position offset: > 0 numbers positions from the ids (RoBERTa), 0 is `arange`.
    let positionOffset: Int

    init(_ store: WeightStore, prefix p: String, config c: ModelConfig) throws {
        let d = c.hiddenSize
        word = try store.load(p + "word_embeddings.weight", shape: [c.vocabSize, d])
        position = try store.load(p + "position_embeddings.weight", shape: [c.maxPositionEmbeddings, d])
        tokenType = try store.load(p + "token_type_embeddings.weight", shape: [c.typeVocabSize, d])
        if c.lsg != nil {
            let g = try store.load(p + "global_embeddings.weight")
            guard g.shape.count == 2, g.shape[1] == d, g.shape[0] >= c.lsg!.numGlobalTokens else {
                throw RuntimeError.shapeMismatch(tensor: g.name, expected: [512, d], found: g.shape)
            }
            global = g
        } else {
            global = nil
        }
        norm = try LayerNorm(store, p + "LayerNorm", features: d, eps: c.layerNormEps)
        hidden = d
        padTokenId = c.padTokenId
        positionOffset = c.family.positionOffset
    }

    /// Embeds `ids [batch, length]` into `[batch · rows, hidden]` with `rows = globals + paddedLength`:
    /// globals first, then the tokens, LayerNorm over those, then `paddedLength - length` zero rows
    /// (the encoder's adaptive padding is appended after the embedding LayerNorm).
    ///
    /// Position ids: with a position offset (RoBERTa) `create_position_ids_from_input_ids`:
    /// `cumsum(ids != pad) * (ids != pad) + pad` (from the ids, not the attention mask); without
    /// (BERT) the `position_ids` buffer `arange(length)`, padding included. `tokenTypes` has the
    /// shape of `ids` (`nil`: 0 everywhere, as the `token_type_ids` buffer gives); the globals take no
    /// token type (the reference concatenates them after the token embeddings are summed).
    func callAsFunction(ids: [Int64], tokenTypes: [Int64]? = nil, batch: Int, length: Int, globals: Int, paddedLength: Int) throws -> Matrix {
        let rows = globals + paddedLength
        let x = Matrix(rows: batch * rows, cols: hidden)
        let vocab = word.shape[0], positions = position.shape[0], types = tokenType.shape[0]
        for item in 0..<batch {
            for g in 0..<globals {
                x.row(item * rows + g).update(from: global!.pointer + g * hidden, count: hidden)
            }
            var running = 0
            for j in 0..<length {
                let id = Int(ids[item * length + j])
                guard id >= 0, id < vocab else {
                    throw RuntimeError.invalidInput("token id \(id) at [\(item), \(j)] is outside the vocabulary (\(vocab))")
                }
                let positionId: Int
                if positionOffset == 0 {
                    positionId = j
                } else if id != padTokenId {
                    running += 1
                    positionId = running + padTokenId
                } else {
                    positionId = padTokenId
                }
                guard positionId < positions else {
                    throw RuntimeError.invalidInput("sequence of \(length) tokens needs position \(positionId), the model has \(positions) positions")
                }
                let type = tokenTypes.map { Int($0[item * length + j]) } ?? 0
                guard type >= 0, type < types else {
                    throw RuntimeError.invalidInput("token_type_ids value \(type) at [\(item), \(j)] is outside the \(types) token types (type_vocab_size)")
                }
                let out = x.row(item * rows + globals + j)
                out.update(from: word.pointer + id * hidden, count: hidden)
                VectorMath.addInPlace(out, tokenType.pointer + type * hidden, count: hidden)
                VectorMath.addInPlace(out, position.pointer + positionId * hidden, count: hidden)
            }
            for r in 0..<(globals + length) {
                VectorMath.layerNormInPlace(x.row(item * rows + r), count: hidden, weight: norm.weight.pointer,
                                            bias: norm.bias.pointer, eps: norm.eps)
            }
        }
        return x
    }
}
