/// How a stored tensor differs from the values it should hold (see ``TensorComparison``).
public struct TensorDifference: Sendable, Equatable {
    /// Elements whose bits differ.
    public var differingElements: Int
    /// Largest |stored - expected| over the differing elements (infinity when a NaN is involved).
    public var maxAbsDifference: Float
    /// Flat index of the first differing element.
    public var firstDifferingIndex: Int?
    /// Rows (of `rowLength` elements, when the comparison was asked to count them) with a difference.
    public var differingRows: Int = 0

    public static let none = TensorDifference(differingElements: 0, maxAbsDifference: 0, firstDifferingIndex: nil)

    public var isIdentical: Bool { differingElements == 0 }
}
