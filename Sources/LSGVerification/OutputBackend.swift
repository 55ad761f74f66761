/// Forward passes the output checks need.
public protocol OutputBackend {
    var hiddenSize: Int { get }
    var vocabSize: Int { get }
    /// Context for the report (e.g. "original rounded to BF16 like the conversion's cast").
    var notes: [String] { get }
    /// The original RoBERTa on one sequence.
    func original(_ ids: [Int]) throws -> ModelOutputs
    /// The converted LSG model on one sequence.
    func lsg(_ ids: [Int], mode: LSGForwardMode) throws -> ModelOutputs
    /// The original and the globals-masked LSG model on the same input (5a). See the default
    /// implementation in the extension.
    func originalAndGlobalsMasked(_ ids: [Int]) throws -> (original: ModelOutputs, lsg: ModelOutputs)
    /// See the default implementation in the extension.
    func lsgFiniteness(_ ids: [Int]) throws -> (values: Int, nonFinite: Int)
}

extension OutputBackend {
    public var notes: [String] { [] }

    /// One after the other; a backend may overlap the two forwards.
    public func originalAndGlobalsMasked(_ ids: [Int]) throws -> (original: ModelOutputs, lsg: ModelOutputs) {
        (try original(ids), try lsg(ids, mode: .globalsMaskedDense))
    }

    /// The LSG model as configured on one (long) input: how many output values (hidden states and
    /// logits) it produced and how many are NaN/Inf. Backends may count without copying the outputs.
    public func lsgFiniteness(_ ids: [Int]) throws -> (values: Int, nonFinite: Int) {
        let outputs = try lsg(ids, mode: .asConfigured)
        let all = outputs.hidden + (outputs.logits ?? [])
        return (all.count, all.reduce(0) { $0 + ($1.isFinite ? 0 : 1) })
    }
}

/// How the LSG model runs for a check.
public enum LSGForwardMode: Sendable {
    /// Global keys masked out, `pool_with_global` and `mask_first_token` off, dense path: must equal RoBERTa.
    case globalsMaskedDense
    /// The configuration in config.json.
    case asConfigured
}

/// Outputs of one forward pass on t tokens.
public struct ModelOutputs: Sendable {
    /// Last hidden states, t x D, row-major (global tokens and padding removed).
    public var hidden: [Float]
    /// MLM logits, t x V; nil for heads without an LM.
    public var logits: [Float]?

    public init(hidden: [Float], logits: [Float]?) {
        self.hidden = hidden
        self.logits = logits
    }
}

/// Thrown by a backend factory when the output checks cannot apply to this model (e.g. a causal
/// `is_decoder` config the runtime does not implement): 5a-5c are then skipped with `reason`,
/// not failed.
public struct OutputChecksUnavailable: Error, CustomStringConvertible, Sendable {
    public var reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }
}
