// Errors of the runtime (configuration, weights, inputs).

/// Why a model could not be loaded or run.
public enum RuntimeError: Error, Equatable, CustomStringConvertible, Sendable {
    /// A tensor the model needs is absent from every weight source.
    case missingWeight(String)
    /// A tensor has a different shape than the configuration implies.
    case shapeMismatch(tensor: String, expected: [Int], found: [Int])
    /// A config.json key is missing, has the wrong type, or an invalid value.
    case invalidConfig(key: String, message: String)
    /// A configuration the reference cannot run either (it crashes), or a feature this runtime lacks.
    case unsupported(String)
    /// The inputs do not fit the model (shape, token ids, length).
    case invalidInput(String)

    public var description: String {
        switch self {
        case .missingWeight(let name): return "missing weight `\(name)`"
        case .shapeMismatch(let name, let expected, let found):
            return "tensor `\(name)`: expected shape \(expected), found \(found)"
        case .invalidConfig(let key, let message): return "config `\(key)`: \(message)"
        case .unsupported(let message): return "unsupported: \(message)"
        case .invalidInput(let message): return "invalid input: \(message)"
        }
    }
}
