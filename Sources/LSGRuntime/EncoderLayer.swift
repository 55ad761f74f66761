// One RoBERTa encoder layer (post-LayerNorm), with dense or LSG self-attention.

/// `encoder.layer.{i}`: self-attention, output projection + residual + LayerNorm, FFN with exact GELU
/// + residual + LayerNorm. Dropouts are identities (eval mode).
struct EncoderLayer: Sendable {
    let query: Linear
    let key: Linear
    let value: Linear
    let attentionOutput: Linear
    let attentionNorm: LayerNorm
    let intermediate: Linear
    let output: Linear
    let outputNorm: LayerNorm

    init(_ store: WeightStore, prefix p: String, config c: ModelConfig) throws {
        let d = c.hiddenSize, f = c.intermediateSize
        query = try Linear(store, p + "attention.self.query", in: d, out: d)
        key = try Linear(store, p + "attention.self.key", in: d, out: d)
        value = try Linear(store, p + "attention.self.value", in: d, out: d)
        attentionOutput = try Linear(store, p + "attention.output.dense", in: d, out: d)
        attentionNorm = try LayerNorm(store, p + "attention.output.LayerNorm", features: d, eps: c.layerNormEps)
        intermediate = try Linear(store, p + "intermediate.dense", in: d, out: f)
        output = try Linear(store, p + "output.dense", in: f, out: d)
        outputNorm = try LayerNorm(store, p + "output.LayerNorm", features: d, eps: c.layerNormEps)
    }

    /// `x [batch·sequence, hidden] -> [batch·sequence, hidden]`.
    func callAsFunction(_ x: Matrix, attention: SelfAttention, projections: [[Float]]) -> Matrix {
        let (q, k, v) = PhaseTimer.measure("qkv projections") { (query(x), key(x), value(x)) }
        let context = PhaseTimer.measure("attention") { attention(q: q, k: k, v: v, projections: projections) }
        let attended = PhaseTimer.measure("attention output") { attentionOutput(context) }
        PhaseTimer.measure("layernorm") { attentionNorm.apply(attended, residual: x) }
        let inner = PhaseTimer.measure("ffn intermediate") { intermediate(attended) }
        PhaseTimer.measure("gelu") { Activation.gelu(inner) }
        let out = PhaseTimer.measure("ffn output") { output(inner) }
        PhaseTimer.measure("layernorm") { outputNorm.apply(out, residual: attended) }
        return out
    }
}

/// Elementwise activations over whole matrices, split over the cores.
enum Activation {
    /// Exact erf GELU in place.
    static func gelu(_ x: Matrix) {
        let total = x.rows * x.cols
        let parts = max(1, min(64, total / 4096))
        let chunk = ((total + parts - 1) / parts + 15) / 16 * 16
        Parallel.forEach(parts) { part in
            let start = part * chunk
            if start < total { VectorMath.geluInPlace(x.data + start, count: min(chunk, total - start)) }
        }
    }
}
