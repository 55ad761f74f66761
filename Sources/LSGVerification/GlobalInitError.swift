/// Why the global init cannot be reproduced for a source.
public enum GlobalInitError: Error, CustomStringConvertible, Sendable, Equatable {
    case noPositions
    /// The reference reshapes the ordered positions by `stride / f`; it must divide 512.
    case strideIncompatible(stride: Int, factor: Int)

    public var description: String {
        switch self {
        case .noPositions: "the original has no position rows beyond the 2 offset rows"
        case let .strideIncompatible(stride, factor):
            "global_positional_stride \(stride) does not fit the source: \(stride) / \(factor) must be a positive divisor of 512 (the reference fails to reshape)"
        }
    }
}
