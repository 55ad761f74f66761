/// The tensors a PyTorch pickle describes (the zip's `data.pkl` or the legacy object pickle),
/// interpreted from the inert ``PickleValue`` tree: names, dtypes, shapes and where each tensor's
/// elements lie in which storage. Knows the PyTorch rebuild functions (design.md §B6.4), nothing
/// about models.
///
/// Accepted top level: a dict (usually `collections.OrderedDict`, whose `_metadata` BUILD state is
/// ignored) of name -> tensor; when its values are not all tensors, the first of the wrapper keys
/// `state_dict`, `model_state_dict`, `model` that holds a dict is followed (training checkpoints
/// such as `{"state_dict": ..., "epoch": 3}`).
public struct TorchStateDict: Sendable {
    /// What the pickle declares about one storage (its persistent id).
    public struct StorageDeclaration: Sendable, Equatable {
        public var key: String
        public var dtype: DType
        /// Elements in the whole storage (not only the part a tensor uses).
        public var elementCount: Int
        /// `cpu`, `cuda:0`...: informative only, the bytes are the same.
        public var location: String
    }

    /// The persistent-id layout, which differs between the two formats.
    public enum Layout: Sendable {
        /// `('storage', StorageClass, key, location, numel)` (zip archives).
        case zip
        /// `('storage', StorageClass, key, location, numel, view_metadata)` (legacy streams).
        case legacy
    }

    /// Wrapper keys followed, in this order, when the top level is not a dict of tensors.
    public static let wrapperKeys = ["state_dict", "model_state_dict", "model"]

    /// Tensors in the order the pickle lists them.
    public var tensors: [TorchTensorReference]
    /// Every storage a tensor uses, by key.
    public var storages: [String: StorageDeclaration]
    /// The wrapper keys that were followed to reach the tensors (e.g. `["state_dict"]`), empty for
    /// a plain state dict.
    public var wrapperPath: [String]

    private let file: String
    private let layout: Layout

    /// Interprets `root`, the value of a torch pickle. Throws ``CheckpointError`` naming `file` and,
    /// where known, the tensor: `.unsupported` for non-contiguous strides or unknown constructs,
    /// `.malformed` for arguments of the wrong kind, `.inconsistent` for storages declared twice
    /// differently or tensors outside their storage.
    public init(pickle root: PickleValue, file: String, layout: Layout) throws {
        self.file = file
        self.layout = layout
        tensors = []
        storages = [:]
        wrapperPath = []

        var entries = try topLevelEntries(root, what: "the top-level object")
        while !entries.allSatisfy({ Self.isTensorExpression($0.value) }) {
            guard let (key, inner) = Self.wrapperKeys.lazy.compactMap({ key in
                Self.lastValue(for: key, in: entries).map { (key, $0) }
            }).first(where: { Self.dictionaryEntries(of: $0.1) != nil }), wrapperPath.count < 4 else {
                let offending = entries.first { !Self.isTensorExpression($0.value) }!
                throw CheckpointError(.unsupported, file: file,
                                      "\(describePath()) is not a dict of tensors (entry \(offending.key.kindDescription) is a \(offending.value.kindDescription)) and has no \(Self.wrapperKeys.map { "`\($0)`" }.joined(separator: "/")) entry holding one")
            }
            wrapperPath.append(key)
            entries = try topLevelEntries(inner, what: "`\(wrapperPath.joined(separator: "."))`")
        }

        // Python dict semantics if a key repeats: first position, last value.
        var positions: [String: Int] = [:]
        for entry in entries {
            guard case .string(let name) = entry.key else {
                throw CheckpointError(.malformed, file: file, "state-dict key \(entry.key.kindDescription) is not a string")
            }
            let reference = try tensorReference(entry.value, name: name, unwraps: 0)
            if let position = positions[name] {
                tensors[position] = reference
            } else {
                positions[name] = tensors.count
                tensors.append(reference)
            }
        }
    }

    // MARK: - Top level

    private func describePath() -> String {
        wrapperPath.isEmpty ? "the top-level object" : "`\(wrapperPath.joined(separator: "."))`"
    }

    private func topLevelEntries(_ value: PickleValue, what: String) throws -> [PickleValue.DictEntry] {
        guard let entries = Self.dictionaryEntries(of: value) else {
            throw CheckpointError(.unsupported, file: file, "\(what) is a \(value.kindDescription), not a dict of named tensors")
        }
        return entries
    }

    /// The entries of a dict, looking through the BUILD that attaches `_metadata` to an OrderedDict.
    private static func dictionaryEntries(of value: PickleValue) -> [PickleValue.DictEntry]? {
        switch value {
        case .dict(let entries): entries
        case .build(let object, _): dictionaryEntries(of: object)
        default: nil
        }
    }

    private static func lastValue(for key: String, in entries: [PickleValue.DictEntry]) -> PickleValue? {
        entries.last(where: { $0.key == .string(key) })?.value
    }

    private static let tensorConstructors: Set<String> = [
        "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state", "torch._tensor._rebuild_from_type_v2",
    ]

    /// Whether `value` is a tensor or parameter (shallow check, used to recognise wrappers).
    private static func isTensorExpression(_ value: PickleValue) -> Bool {
        switch value {
        case .reduce(let callable, _): callable.globalName.map(tensorConstructors.contains) ?? false
        case .newObject(let cls, _): cls.globalName == "torch.nn.parameter.Parameter"
        default: false
        }
    }

    // MARK: - Tensors

    /// Follows the wrappers torch pickles around a tensor down to `_rebuild_tensor_v2`.
    private mutating func tensorReference(_ value: PickleValue, name: String, unwraps: Int) throws -> TorchTensorReference {
        func fail(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
            CheckpointError(kind, file: file, tensor: name, message)
        }
        guard unwraps < 8 else { throw fail(.unsupported, "tensor wrapped in more than 8 layers of rebuild calls") }
        switch value {
        case .reduce(.global(let module, let function), let arguments):
            guard let args = arguments.tupleItems else {
                throw fail(.malformed, "arguments of `\(module).\(function)` are a \(arguments.kindDescription), not a tuple")
            }
            switch "\(module).\(function)" {
            case "torch._utils._rebuild_tensor_v2":
                return try rebuildTensor(args, name: name)
            case "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state":
                // (data, requires_grad, backward_hooks[, state]): the parameter's data is the tensor.
                guard let data = args.first else { throw fail(.malformed, "`\(function)` without arguments") }
                return try tensorReference(data, name: name, unwraps: unwraps + 1)
            case "torch._tensor._rebuild_from_type_v2":
                // (func, new_type, args, state): the tensor is `func(*args)`; `state` holds Python
                // attributes, `new_type` is torch.Tensor or Parameter (torch/_tensor.py).
                guard args.count == 4 else { throw fail(.malformed, "`_rebuild_from_type_v2` with \(args.count) arguments instead of 4") }
                return try tensorReference(.reduce(callable: args[0], arguments: args[2]), name: name, unwraps: unwraps + 1)
            default:
                throw fail(.unsupported, "`\(module).\(function)` does not rebuild a dense tensor")
            }
        case .newObject(.global("torch.nn.parameter", "Parameter"), let arguments):
            // Parameter.__new__(cls, data, requires_grad)
            guard let data = arguments.tupleItems?.first else { throw fail(.malformed, "Parameter without data") }
            return try tensorReference(data, name: name, unwraps: unwraps + 1)
        default:
            throw fail(.unsupported, "value is a \(value.kindDescription), not a tensor")
        }
    }

    /// `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
    /// backward_hooks[, metadata])` (torch/_utils.py). `requires_grad`, the hooks (an empty
    /// OrderedDict) and the optional metadata dict do not affect the data.
    private mutating func rebuildTensor(_ args: [PickleValue], name: String) throws -> TorchTensorReference {
        func fail(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
            CheckpointError(kind, file: file, tensor: name, message)
        }
        guard args.count == 6 || args.count == 7 else {
            throw fail(.malformed, "`_rebuild_tensor_v2` with \(args.count) arguments instead of 6 or 7")
        }
        let storage = try storageView(args[0], tensor: name)
        guard let offset = args[1].intValue, offset >= 0 else {
            throw fail(.malformed, "storage offset is a \(args[1].kindDescription), not a non-negative int")
        }
        let shape = try integers(args[2], what: "size", tensor: name)
        let strides = try integers(args[3], what: "stride", tensor: name)
        guard shape.count == strides.count, shape.allSatisfy({ $0 >= 0 }) else {
            throw fail(.malformed, "size \(shape) and stride \(strides) do not describe a tensor")
        }
        guard let count = TensorInfo.checkedElementCount(shape),
              !count.multipliedReportingOverflow(by: storage.declaration.dtype.byteSize).overflow
        else { throw fail(.malformed, "size \(shape) overflows") }

        // C-contiguous: each stride is the product of the sizes after it. A dimension of size 1
        // (or a tensor without elements) may carry any stride: it is never stepped over. Real case:
        // transformers < 4.31 saved `position_ids = arange(n).expand((1, -1))` with stride (0, 1).
        if count > 0 {
            var expected = 1
            for (size, stride) in zip(shape, strides).reversed() {
                if size != 1 && stride != expected {
                    throw fail(.unsupported, "stride \(strides) of size \(shape) is not C-contiguous (only contiguous tensors are supported; save `tensor.contiguous()`)")
                }
                expected *= size
            }
        }
        guard offset <= storage.elementCount, count <= storage.elementCount - offset else {
            throw fail(.inconsistent, "storage offset \(offset) + \(count) elements exceed storage `\(storage.declaration.key)` of \(storage.elementCount) elements")
        }
        return TorchTensorReference(info: TensorInfo(name: name, dtype: storage.declaration.dtype, shape: shape),
                                    storageKey: storage.declaration.key, storageOffset: storage.offset + offset)
    }

    /// A storage as a tensor sees it: the declared storage, and for legacy view storages the
    /// view's start and length inside it.
    private struct StorageView {
        var declaration: StorageDeclaration
        var offset: Int
        var elementCount: Int
    }

    /// Parses a storage persistent id and records (or cross-checks) its declaration.
    private mutating func storageView(_ value: PickleValue, tensor name: String) throws -> StorageView {
        func fail(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
            CheckpointError(kind, file: file, tensor: name, message)
        }
        guard case .persistentID(let id) = value else {
            throw fail(.malformed, "storage argument is a \(value.kindDescription), not a storage persistent id")
        }
        let declaration = try Self.storageDeclaration(id, layout: layout, file: file, tensor: name)
        let items = id.tupleItems ?? []
        let key = declaration.key, dtype = declaration.dtype, elementCount = declaration.elementCount
        let storageClass = dtype.torchStorageClass
        if let existing = storages[key] {
            guard existing.dtype == dtype, existing.elementCount == elementCount else {
                throw fail(.inconsistent, "storage `\(key)` is declared as \(existing.dtype.torchStorageClass) of \(existing.elementCount) elements and as \(storageClass) of \(elementCount)")
            }
        } else {
            storages[key] = declaration
        }

        var view = StorageView(declaration: declaration, offset: 0, elementCount: elementCount)
        if layout == .legacy, items[5] != .none {
            // view_metadata = (view_key, offset, view_size): the tensor's storage is
            // `root[offset:offset + view_size]` (torch/serialization.py, `_legacy_load.persistent_load`).
            guard let viewItems = items[5].tupleItems, viewItems.count == 3,
                  let viewOffset = viewItems[1].intValue, let viewSize = viewItems[2].intValue,
                  viewOffset >= 0, viewSize >= 0, viewOffset <= elementCount, viewSize <= elementCount - viewOffset
            else { throw fail(.malformed, "storage view metadata \(items[5].kindDescription) is invalid for storage `\(key)` of \(elementCount) elements") }
            view.offset = viewOffset
            view.elementCount = viewSize
        }
        return view
    }

    /// Parses the persistent id torch writes for a storage: `('storage', torch.<X>Storage, key,
    /// location, numel)` in zip archives, plus a sixth `view_metadata` field in legacy streams.
    static func storageDeclaration(_ id: PickleValue, layout: Layout, file: String, tensor name: String? = nil) throws -> StorageDeclaration {
        func fail(_ kind: CheckpointError.Kind, _ message: String) -> CheckpointError {
            CheckpointError(kind, file: file, tensor: name, message)
        }
        guard let items = id.tupleItems else {
            throw fail(.malformed, "persistent id is a \(id.kindDescription), not a tuple")
        }
        guard items.first?.stringValue == "storage" else {
            // The legacy format also has ('module', class, source_file, source) ids for pickled
            // nn.Modules: source code, never loaded here.
            throw fail(.unsupported, "persistent id of type \(items.first?.kindDescription ?? "empty tuple") is not a storage")
        }
        let expectedCount = layout == .zip ? 5 : 6
        guard items.count == expectedCount else {
            throw fail(.malformed, "storage persistent id has \(items.count) fields instead of \(expectedCount)")
        }
        guard case .global("torch", let storageClass) = items[1] else {
            throw fail(.malformed, "storage type is a \(items[1].kindDescription), not a torch storage class")
        }
        guard let dtype = DType(torchStorageClass: storageClass) else {
            throw fail(.unsupported, "storage class torch.\(storageClass) is not supported")
        }
        guard let key = items[2].stringValue, let location = items[3].stringValue else {
            throw fail(.malformed, "storage key or location is not a string")
        }
        guard let elementCount = items[4].intValue, elementCount >= 0,
              !elementCount.multipliedReportingOverflow(by: dtype.byteSize).overflow
        else { throw fail(.malformed, "storage `\(key)` declares an invalid element count (\(items[4].kindDescription))") }
        return StorageDeclaration(key: key, dtype: dtype, elementCount: elementCount, location: location)
    }

    private func integers(_ value: PickleValue, what: String, tensor name: String) throws -> [Int] {
        let items: [PickleValue]
        switch value {
        case .tuple(let values), .list(let values): items = values
        default:
            throw CheckpointError(.malformed, file: file, tensor: name, "\(what) is a \(value.kindDescription), not a tuple of ints")
        }
        return try items.map { item in
            guard let int = item.intValue else {
                throw CheckpointError(.malformed, file: file, tensor: name, "\(what) holds a \(item.kindDescription)")
            }
            return int
        }
    }
}
