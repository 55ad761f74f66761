/// Where a family keeps its masked-LM prediction layer: dense + activation + LayerNorm, then a
/// decoder tied to the word embeddings plus an output bias.
public struct LanguageModelHeadNames: Sendable, Equatable {
    /// `lm_head.dense` / `cls.predictions.transform.dense` (a Linear: `.weight [D, D]`, `.bias [D]`).
    public var dense: String
    /// `lm_head.layer_norm` / `cls.predictions.transform.LayerNorm`.
    public var layerNorm: String
    /// The output bias `[V]`: `lm_head.bias` / `cls.predictions.bias`.
    public var bias: String
    /// The tied decoder: `.weight` is the word embeddings, `.bias` is ``bias``; `save_pretrained`
    /// omits both (`_tied_weights_keys`), `torch.save` checkpoints keep them.
    public var decoder: String

    public init(dense: String, layerNorm: String, bias: String, decoder: String) {
        self.dense = dense
        self.layerNorm = layerNorm
        self.bias = bias
        self.decoder = decoder
    }

    /// The tensors of the layer (tied decoder excluded), for hidden size `D` and vocabulary `V`.
    public func tensors(hidden D: Int, vocab V: Int) -> [HeadTensor] {
        [
            HeadTensor(dense + ".weight", [D, D], .normal),
            HeadTensor(dense + ".bias", [D], .zeros),
            HeadTensor(layerNorm + ".weight", [D], .ones),
            HeadTensor(layerNorm + ".bias", [D], .zeros),
            HeadTensor(bias, [V], .zeros),
        ]
    }

    /// The tied copies a checkpoint may hold, and the tensor each duplicates (`nil` prefix = the
    /// backbone's word embeddings).
    public var tiedTensors: [(name: String, duplicates: String)] {
        [(decoder + ".weight", "embeddings.word_embeddings.weight"), (decoder + ".bias", bias)]
    }
}
