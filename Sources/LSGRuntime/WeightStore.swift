// Named weight lookup over one or more tensor sources.
import CheckpointIO

/// Finds weights by name in a list of ``TensorSource``s (the first source holding a name wins), with
/// shape checks. Extra sources let a caller overlay tensors, e.g. a head trained separately.
public final class WeightStore: @unchecked Sendable {
    private let sources: [any TensorSource]
    private let owner: [String: Int]
    /// For one-shot forwards (the conversion's end-of-run check): every linear layer gives its
    /// mapped weight pages back once it has run, and splits weights over 16 MiB into slices released
    /// one by one, so that a forward keeps about one layer's weights resident instead of the whole
    /// model (issue 14). Repeated forwards then fault the pages in again: off by default.
    public let releasesPagesAfterUse: Bool

    public init(sources: [any TensorSource], releasesPagesAfterUse: Bool = false) {
        self.releasesPagesAfterUse = releasesPagesAfterUse
        self.sources = sources
        var owner: [String: Int] = [:]
        for (index, source) in sources.enumerated() {
            for info in source.tensorInfos where owner[info.name] == nil { owner[info.name] = index }
        }
        self.owner = owner
    }

    /// Whether any source holds `name`.
    public func contains(_ name: String) -> Bool { owner[name] != nil }

    /// Every tensor name.
    public var names: [String] { Array(owner.keys) }

    /// The shape of `name`, if present.
    public func shape(of name: String) -> [Int]? {
        guard let index = owner[name] else { return nil }
        return sources[index].info(named: name)?.shape
    }

    /// Loads `name` as Float32, checking its shape when `shape` is given.
    public func load(_ name: String, shape: [Int]? = nil) throws -> Weight {
        guard let index = owner[name] else { throw RuntimeError.missingWeight(name) }
        let data = try sources[index].tensor(named: name)
        if let shape, data.info.shape != shape {
            throw RuntimeError.shapeMismatch(tensor: name, expected: shape, found: data.info.shape)
        }
        guard data.info.dtype.isFloatingPoint else {
            throw RuntimeError.unsupported("tensor `\(name)` has dtype \(data.info.dtype.rawValue), expected a float type")
        }
        return Weight(data: data, releasesPagesAfterUse: releasesPagesAfterUse)
    }
}
