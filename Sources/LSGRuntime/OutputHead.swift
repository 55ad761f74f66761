// The task heads on top of the encoder (transformers' RobertaLMHead, RobertaClassificationHead,
// BertPreTrainingHeads, ...), with the weight names the family table gives.
import Foundation
import ModelFamilies

/// The weights of one task head. The runtime applies them to `last_hidden_state` (length t, after the
/// LSG encoder removed globals and padding), exactly as the reference's heads do.
enum OutputHead: Sendable {
    /// The masked-LM layer (`lm_head` / `cls.predictions`): dense + GELU + LayerNorm, then the
    /// decoder tied to the word embeddings, plus the output bias. With `nextSentence` (BERT
    /// pre-training), also the pooler and `cls.seq_relationship [2, hidden]` on token 0.
    case maskedLM(dense: Linear, norm: LayerNorm, decoder: Weight, bias: Weight, nextSentence: (pooler: Linear, classifier: Linear)?)
    /// `classifier.dense` + tanh + `classifier.out_proj` on token 0 (RoBERTa).
    case sequenceClassification(dense: Linear, outProjection: Linear)
    /// Pooler, then `classifier` (BERT's sequence classification).
    case pooledSequenceClassification(pooler: Linear, classifier: Linear)
    /// `classifier` on every token.
    case tokenClassification(Linear)
    /// `qa_outputs [2, hidden]` on every token: start and end logits.
    case questionAnswering(Linear)
    /// `pooler.dense` + tanh on token 0 (optional for the base model).
    case base(pooler: Linear?)
    /// Pooler, then `classifier [1, hidden]`; logits reshaped to `[batch, choices]`.
    case multipleChoice(pooler: Linear, classifier: Linear)

    /// Loads the head's weights, named as `family` names them. `prefix` is the encoder prefix
    /// (`roberta.`, `bert.` or empty): the pooler lives under it, the other heads at the top level.
    init(_ task: TaskHead, family: ModelFamily, store: WeightStore, prefix: String, config c: ModelConfig) throws {
        let d = c.hiddenSize
        func pooler() throws -> Linear { try Linear(store, prefix + "pooler.dense", in: d, out: d) }
        switch task {
        case .maskedLM, .causalLM, .preTraining:
            let names = family.languageModel
            let dense = try Linear(store, names.dense, in: d, out: d)
            let norm = try LayerNorm(store, names.layerNorm, features: d, eps: c.layerNormEps)
            // The decoder is tied to the word embeddings; transformers 4.36's safetensors save omits
            // the decoder tensors (lsg-reference.md §3), and the decoder bias is the output bias.
            let decoderName = store.contains(names.decoder + ".weight") ? names.decoder + ".weight" : prefix + "embeddings.word_embeddings.weight"
            let decoder = try store.load(decoderName, shape: [c.vocabSize, d])
            let biasName = store.contains(names.bias) ? names.bias : names.decoder + ".bias"
            let bias = try store.load(biasName, shape: [c.vocabSize])
            var nextSentence: (Linear, Linear)?
            if task == .preTraining, let nsp = family.nextSentence {
                nextSentence = (try pooler(), try Linear(store, nsp, in: d, out: 2))
            }
            self = .maskedLM(dense: dense, norm: norm, decoder: decoder, bias: bias, nextSentence: nextSentence)
        case .sequenceClassification:
            switch family.sequenceClassifier {
            case let .firstTokenMLP(dense, outProjection):
                let labels = try Self.labels(store, outProjection + ".weight")
                self = .sequenceClassification(dense: try Linear(store, dense, in: d, out: d),
                                               outProjection: try Linear(store, outProjection, in: d, out: labels))
            case let .pooled(classifier):
                let labels = try Self.labels(store, classifier + ".weight")
                self = .pooledSequenceClassification(pooler: try pooler(), classifier: try Linear(store, classifier, in: d, out: labels))
            }
        case .tokenClassification:
            let labels = try Self.labels(store, "classifier.weight")
            self = .tokenClassification(try Linear(store, "classifier", in: d, out: labels))
        case .questionAnswering:
            self = .questionAnswering(try Linear(store, "qa_outputs", in: d, out: 2))
        case .model:
            self = .base(pooler: store.contains(prefix + "pooler.dense.weight") ? try pooler() : nil)
        case .multipleChoice:
            self = .multipleChoice(pooler: try pooler(), classifier: try Linear(store, "classifier", in: d, out: 1))
        }
    }

    /// The number of labels from the weight's first dimension.
    private static func labels(_ store: WeightStore, _ name: String) throws -> Int {
        guard let shape = store.shape(of: name) else { throw RuntimeError.missingWeight(name) }
        guard shape.count == 2 else { throw RuntimeError.shapeMismatch(tensor: name, expected: [-1, -1], found: shape) }
        return shape[0]
    }

    /// Applies the head to `hidden [batch·length, hidden]`; `shape` is the input shape (`[batch, length]`
    /// or `[batch, choices, length]`).
    func outputs(hidden: Matrix, batch: Int, length: Int, shape: [Int]) -> [OutputTensor] {
        switch self {
        case .maskedLM(let dense, let norm, let decoder, let bias, let nextSentence):
            let h = dense(hidden)
            Activation.gelu(h)
            norm.apply(h)
            let logits = LogitsDecoder.decode(h, decoder: decoder, bias: bias)
            guard let (pooler, classifier) = nextSentence else {
                return [OutputTensor(name: "logits", shape: [batch, length, decoder.shape[0]], storage: logits)]
            }
            // BertForPreTrainingOutput names.
            let pooled = pooler(Self.firstTokens(hidden, batch: batch, length: length))
            Self.tanhInPlace(pooled)
            return [OutputTensor(name: "prediction_logits", shape: [batch, length, decoder.shape[0]], storage: logits),
                    OutputTensor(name: "seq_relationship_logits", shape: [batch, 2], storage: classifier(pooled))]
        case .pooledSequenceClassification(let pooler, let classifier):
            let pooled = pooler(Self.firstTokens(hidden, batch: batch, length: length))
            Self.tanhInPlace(pooled)
            return [OutputTensor(name: "logits", shape: [batch, classifier.outFeatures], storage: classifier(pooled))]
        case .sequenceClassification(let dense, let outProjection):
            let first = Self.firstTokens(hidden, batch: batch, length: length)
            let h = dense(first)
            Self.tanhInPlace(h)
            let logits = outProjection(h)
            return [OutputTensor(name: "logits", shape: [batch, outProjection.outFeatures], storage: logits)]
        case .tokenClassification(let classifier):
            let logits = classifier(hidden)
            return [OutputTensor(name: "logits", shape: [batch, length, classifier.outFeatures], storage: logits)]
        case .questionAnswering(let qa):
            let logits = qa(hidden).toArray()
            let start = stride(from: 0, to: logits.count, by: 2).map { logits[$0] }
            let end = stride(from: 1, to: logits.count, by: 2).map { logits[$0] }
            return [OutputTensor(name: "start_logits", shape: [batch, length], values: start),
                    OutputTensor(name: "end_logits", shape: [batch, length], values: end)]
        case .base(let pooler):
            guard let pooler else { return [] }
            let pooled = pooler(Self.firstTokens(hidden, batch: batch, length: length))
            Self.tanhInPlace(pooled)
            return [OutputTensor(name: "pooler_output", shape: [batch, pooler.outFeatures], storage: pooled)]
        case .multipleChoice(let pooler, let classifier):
            let pooled = pooler(Self.firstTokens(hidden, batch: batch, length: length))
            Self.tanhInPlace(pooled)
            let logits = classifier(pooled)
            let choices = shape.count == 3 ? shape[1] : batch
            return [OutputTensor(name: "logits", shape: [batch / choices, choices], storage: logits)]
        }
    }

    /// Row 0 of every item: `[batch, hidden]`.
    static func firstTokens(_ hidden: Matrix, batch: Int, length: Int) -> Matrix {
        let out = Matrix(rows: batch, cols: hidden.cols)
        for i in 0..<batch { out.row(i).update(from: hidden.row(i * length), count: hidden.cols) }
        return out
    }

    static func tanhInPlace(_ m: Matrix) {
        for i in 0..<(m.rows * m.cols) { m.data[i] = Foundation.tanh(m.data[i]) }
    }
}
