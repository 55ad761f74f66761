// The numbers of transformers' fill-mask pipeline: softmax over the vocabulary at each mask, top-k.
import Foundation

/// What `pipeline("fill-mask")` (transformers 4.36 `FillMaskPipeline`) computes from a masked-LM's
/// logits: for every mask position of one text, the softmax over the vocabulary and its `k` largest
/// probabilities. The strings (`token_str`, `sequence`) come from the tokenizer
/// (`Tokenization.Tokenizer.fillMaskText`).
///
/// The pipeline runs each text alone (its default `batch_size` is 1, so no padding reaches the
/// model); ``predict(inputIDs:maskTokenID:topK:)`` does the same, which keeps the LSG adaptive
/// padding and sparse selection exactly the reference's.
public struct FillMask: Sendable {
    /// One candidate token for a mask: the pipeline's `token` and `score`.
    public struct Candidate: Equatable, Sendable {
        /// The token id (`token`).
        public var token: Int
        /// Its probability at the mask (`score`): `softmax(logits)[token]`, rounded to Float32 as the
        /// reference's float32 softmax returns it.
        public var score: Float

        public init(token: Int, score: Float) {
            self.token = token
            self.score = score
        }
    }

    /// A model with a masked-LM head (`lm_head`).
    public let model: RuntimeModel

    /// - Throws: ``RuntimeError/unsupported(_:)`` unless the model's head gives vocabulary logits
    ///   (`RobertaForMaskedLM`, or `RobertaForCausalLM` whose `lm_head` is the same).
    public init(model: RuntimeModel) throws {
        guard model.head.hasLanguageModel else {
            throw RuntimeError.unsupported("fill-mask needs a masked-LM head (\(model.config.family.languageModel.dense)); the model runs as \(model.config.family.lsgClassName(model.head).dropFirst(3))")
        }
        self.model = model
    }

    /// Runs the model on one encoded text and ranks the vocabulary at each mask.
    /// - Parameters:
    ///   - inputIDs: the encoded text `[length]`, framed `<s> ... </s>`, no padding.
    ///   - maskTokenID: the tokenizer's `<mask>` id.
    ///   - topK: how many candidates per mask (capped at the vocabulary size, as `torch.topk` would refuse more).
    /// - Returns: one list per mask, in text order, each `topK` candidates by decreasing score.
    /// - Throws: ``RuntimeError/invalidInput(_:)`` when the text has no mask (the pipeline's
    ///   `PipelineException`), or what the forward pass throws.
    public func predict(inputIDs: [Int], maskTokenID: Int, topK: Int) throws -> [[Candidate]] {
        let masks = inputIDs.indices.filter { inputIDs[$0] == maskTokenID }
        guard !masks.isEmpty else { throw RuntimeError.invalidInput("No mask_token found on the input") }
        if case let .maskedLM(dense, norm, decoder, bias, _) = model.outputHead {
            // The decoder only at the masked rows (issue 14): every row of the MLM head depends on
            // that row alone, so this is what the full [length, vocab] logits hold at those rows,
            // without the 0.32 TFLOP and 824 MB of a 4096-token input's full decoder.
            let output = try model.forward(inputIds: inputIDs.map(Int64.init), shape: [1, inputIDs.count],
                                           attentionMask: nil, tokenTypeIds: nil, lshProjections: nil, applyingHead: false)
            let hidden = output.lastHiddenState.storage
            let rows = Matrix(rows: masks.count, cols: hidden.cols, zeroed: false)
            for (row, position) in masks.enumerated() { rows.row(row).update(from: hidden.row(position), count: hidden.cols) }
            let h = dense(rows)
            Activation.gelu(h)
            norm.apply(h)
            let logits = Linear(weight: decoder, bias: bias)(h)
            let vocab = decoder.shape[0]
            return masks.indices.map { row in
                Self.topK(UnsafeBufferPointer(start: logits.row(row), count: vocab), k: topK)
            }
        }
        let output = try model.forward(inputIds: inputIDs.map(Int64.init), shape: [1, inputIDs.count])
        guard let logits = output.logits, logits.shape.count == 3 else {
            throw RuntimeError.unsupported("the model produced no [batch, length, vocab] logits")
        }
        let vocab = logits.shape[2]
        return masks.map { position in
            Self.topK(UnsafeBufferPointer(start: logits.storage.data + position * vocab, count: vocab), k: topK)
        }
    }

    /// `logits.softmax(-1).topk(k)` for one row `[vocab]`.
    ///
    /// The softmax is accumulated in Double and rounded once, so the scores are within a few Float32
    /// ulps of torch's float32 softmax. Equal scores keep the lower id first.
    public static func topK(_ logits: UnsafeBufferPointer<Float>, k: Int) -> [Candidate] {
        guard let maxLogit = logits.max(), k > 0 else { return [] }
        var sum = 0.0
        for value in logits { sum += Foundation.exp(Double(value) - Double(maxLogit)) }
        let order = logits.indices.sorted { a, b in
            logits[a] != logits[b] ? logits[a] > logits[b] : a < b
        }
        return order.prefix(k).map { id in
            Candidate(token: id, score: Float(Foundation.exp(Double(logits[id]) - Double(maxLogit)) / sum))
        }
    }

    /// ``topK(_:k:)`` on an array.
    public static func topK(_ logits: [Float], k: Int) -> [Candidate] {
        logits.withUnsafeBufferPointer { topK($0, k: k) }
    }
}
