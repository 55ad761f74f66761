import Testing
@testable import CheckpointIO

/// The second pass: pickle value trees -> tensor references (torch/_utils.py rebuild functions).
@Suite struct TorchStateDictTests {
    // MARK: - Tree builders

    static func global(_ qualified: String) -> PickleValue {
        let dot = qualified.lastIndex(of: ".")!
        return .global(module: String(qualified[..<dot]), name: String(qualified[qualified.index(after: dot)...]))
    }

    static func storage(_ storageClass: String = "FloatStorage", key: String = "0", count: Int, view: PickleValue? = nil) -> PickleValue {
        var items: [PickleValue] = [.string("storage"), .global(module: "torch", name: storageClass), .string(key), .string("cpu"), .int(count)]
        if let view { items.append(view) }
        return .persistentID(.tuple(items))
    }

    static func tensor(_ storage: PickleValue, offset: Int = 0, size: [Int], stride: [Int], extra: [PickleValue] = []) -> PickleValue {
        .reduce(callable: global("torch._utils._rebuild_tensor_v2"),
                arguments: .tuple([storage, .int(offset), .tuple(size.map(PickleValue.int)), .tuple(stride.map(PickleValue.int)),
                                   .bool(false), .dict([])] + extra))
    }

    static func dict(_ pairs: [(String, PickleValue)]) -> PickleValue {
        .dict(pairs.map { .init(key: .string($0.0), value: $0.1) })
    }

    private func interpret(_ root: PickleValue, layout: TorchStateDict.Layout = .zip) throws -> TorchStateDict {
        try TorchStateDict(pickle: root, file: "test.pt", layout: layout)
    }

    private func error(_ root: PickleValue, layout: TorchStateDict.Layout = .zip) -> CheckpointError? {
        do {
            _ = try interpret(root, layout: layout)
            return nil
        } catch {
            return error as? CheckpointError
        }
    }

    typealias T = TorchStateDictTests

    // MARK: - Tensors

    @Test func plainTensorWithMetadataArgument() throws {
        // A 7th `metadata` argument appears when torch has tensor metadata to keep; it is ignored.
        let root = T.dict([("w", T.tensor(T.storage(count: 6), offset: 0, size: [2, 3], stride: [3, 1], extra: [T.dict([("k", .int(1))])]))])
        let state = try interpret(root)
        #expect(state.tensors == [TorchTensorReference(info: TensorInfo(name: "w", dtype: .f32, shape: [2, 3]), storageKey: "0", storageOffset: 0)])
        #expect(state.storages["0"] == TorchStateDict.StorageDeclaration(key: "0", dtype: .f32, elementCount: 6, location: "cpu"))
    }

    @Test func orderedDictMetadataBuildIsIgnored() throws {
        let root: PickleValue = .build(object: T.dict([("w", T.tensor(T.storage(count: 2), size: [2], stride: [1]))]),
                                       state: T.dict([("_metadata", T.dict([("", T.dict([("version", .int(1))]))]))]))
        #expect(try interpret(root).tensors.map(\.info.name) == ["w"])
    }

    @Test func parameterWrappersAreUnwrapped() throws {
        let inner = T.tensor(T.storage("HalfStorage", count: 4), offset: 1, size: [3], stride: [1])
        let root = T.dict([
            ("parameter", .reduce(callable: T.global("torch._utils._rebuild_parameter"), arguments: .tuple([inner, .bool(true), .dict([])]))),
            ("with_state", .reduce(callable: T.global("torch._utils._rebuild_parameter_with_state"),
                                   arguments: .tuple([inner, .bool(true), .dict([]), T.dict([("extra", .int(7))])]))),
            // torch._tensor._rebuild_from_type_v2(func, new_type, args, state) -> func(*args)
            ("from_type", .reduce(callable: T.global("torch._tensor._rebuild_from_type_v2"),
                                  arguments: .tuple([T.global("torch._utils._rebuild_tensor_v2"), T.global("torch.Tensor"),
                                                     .tuple([T.storage("HalfStorage", count: 4), .int(1), .tuple([.int(3)]), .tuple([.int(1)]), .bool(false), .dict([])]),
                                                     T.dict([("note", .string("x"))])]))),
            ("newobj", .newObject(cls: T.global("torch.nn.parameter.Parameter"), arguments: .tuple([inner, .bool(true)]))),
        ])
        let state = try interpret(root)
        #expect(state.tensors.count == 4)
        for reference in state.tensors {
            #expect(reference.info.dtype == .f16)
            #expect(reference.info.shape == [3])
            #expect(reference.storageOffset == 1)
        }
    }

    @Test func sizeOneAndEmptyDimensionsMayHaveAnyStride() throws {
        let root = T.dict([
            ("expanded", T.tensor(T.storage("LongStorage", count: 34), size: [1, 34], stride: [0, 1])),
            ("odd", T.tensor(T.storage(key: "1", count: 24), offset: 8, size: [1, 4], stride: [100, 1])),
            ("empty", T.tensor(T.storage(key: "2", count: 0), size: [0, 4], stride: [7, 9])),
            ("scalar", T.tensor(T.storage(key: "1", count: 24), offset: 23, size: [], stride: [])),
        ])
        #expect(try interpret(root).tensors.map(\.info.shape) == [[1, 34], [1, 4], [0, 4], []])
    }

    @Test func nonContiguousStridesAreUnsupported() throws {
        for stride in [[1, 2], [2, 1], [3, 2]] {   // Fortran order, gaps
            let e = error(T.dict([("t", T.tensor(T.storage(count: 12), size: [2, 3], stride: stride))]))
            #expect(e?.kind == .unsupported, "\(stride)")
            #expect(e?.tensor == "t")
        }
    }

    @Test func tensorOutsideItsStorageIsInconsistent() throws {
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 4), offset: 2, size: [3], stride: [1]))]))?.kind == .inconsistent)
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 4), offset: 5, size: [0], stride: [1]))]))?.kind == .inconsistent)
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 4), offset: Int.max, size: [2], stride: [1]))]))?.kind == .inconsistent)
    }

    @Test func overflowingShapesAreMalformed() throws {
        let root = T.dict([("t", T.tensor(T.storage(count: 4), size: [1 << 40, 1 << 40], stride: [1 << 40, 1]))])
        #expect(error(root)?.kind == .malformed)
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 4), size: [-1], stride: [1]))]))?.kind == .malformed)
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 1 << 62), size: [1], stride: [1]))]))?.kind == .malformed)
    }

    @Test func storageDeclaredTwiceDifferentlyIsInconsistent() throws {
        let root = T.dict([
            ("a", T.tensor(T.storage("FloatStorage", count: 4), size: [4], stride: [1])),
            ("b", T.tensor(T.storage("HalfStorage", count: 4), size: [4], stride: [1])),
        ])
        #expect(error(root)?.kind == .inconsistent)
    }

    @Test func legacyViewMetadataShiftsTheOffset() throws {
        // ('storage', cls, root_key, location, root_numel, (view_key, view_offset, view_size))
        let view: PickleValue = .tuple([.string("v"), .int(10), .int(5)])
        let state = try interpret(T.dict([("t", T.tensor(T.storage(count: 20, view: view), offset: 1, size: [4], stride: [1]))]), layout: .legacy)
        #expect(state.tensors[0].storageOffset == 11)
        // The tensor must fit in the view, not just the root storage.
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 20, view: view), offset: 2, size: [4], stride: [1]))]), layout: .legacy)?.kind == .inconsistent)
        let badView: PickleValue = .tuple([.string("v"), .int(18), .int(5)])
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 20, view: badView), size: [1], stride: [1]))]), layout: .legacy)?.kind == .malformed)
        // Legacy ids have 6 fields, zip ids 5.
        #expect(error(T.dict([("t", T.tensor(T.storage(count: 20), size: [1], stride: [1]))]), layout: .legacy)?.kind == .malformed)
        #expect(try interpret(T.dict([("t", T.tensor(T.storage(count: 20, view: PickleValue.none), size: [1], stride: [1]))]), layout: .legacy).tensors.count == 1)
    }

    @Test func malformedRebuildArguments() throws {
        let s = T.storage(count: 4)
        let cases: [PickleValue] = [
            .reduce(callable: T.global("torch._utils._rebuild_tensor_v2"), arguments: .tuple([s, .int(0)])),
            .reduce(callable: T.global("torch._utils._rebuild_tensor_v2"), arguments: .list([])),
            T.tensor(.string("not a storage"), size: [1], stride: [1]),
            T.tensor(s, size: [2, 2], stride: [2]),
            T.tensor(.persistentID(.tuple([.string("storage"), .string("FloatStorage"), .string("0"), .string("cpu"), .int(4)])), size: [1], stride: [1]),
            T.tensor(.persistentID(.tuple([.string("storage"), T.global("torch.FloatStorage"), .int(0), .string("cpu"), .int(4)])), size: [1], stride: [1]),
            .reduce(callable: T.global("torch._utils._rebuild_tensor_v2"),
                    arguments: .tuple([s, .float(0), .tuple([.int(1)]), .tuple([.int(1)]), .bool(false), .dict([])])),
        ]
        for value in cases {
            #expect(error(T.dict([("t", value)]))?.kind == .malformed, "\(value.kindDescription)")
        }
    }

    @Test func unsupportedConstructs() throws {
        let cases: [PickleValue] = [
            .int(3),
            .reduce(callable: T.global("torch._utils._rebuild_qtensor"), arguments: .tuple([])),
            T.tensor(T.storage("QInt8Storage", count: 4), size: [1], stride: [1]),
            // A legacy ('module', ...) persistent id carries Python source code.
            T.tensor(.persistentID(.tuple([.string("module"), .none, .string("f.py"), .string("source")])), size: [1], stride: [1]),
        ]
        for value in cases {
            #expect(error(T.dict([("t", value)]))?.kind == .unsupported, "\(value.kindDescription)")
        }
    }

    // MARK: - Top level

    @Test(arguments: ["state_dict", "model_state_dict", "model"])
    func wrappersAreFollowed(key: String) throws {
        let inner = T.dict([("w", T.tensor(T.storage(count: 1), size: [1], stride: [1]))])
        let state = try interpret(T.dict([("epoch", .int(3)), (key, inner), ("optimizer", T.dict([("lr", .float(0.1))]))]))
        #expect(state.wrapperPath == [key])
        #expect(state.tensors.map(\.info.name) == ["w"])
    }

    @Test func nestedWrappersAreFollowed() throws {
        let inner = T.dict([("w", T.tensor(T.storage(count: 1), size: [1], stride: [1]))])
        let state = try interpret(T.dict([("model", T.dict([("state_dict", inner), ("step", .int(1))]))]))
        #expect(state.wrapperPath == ["model", "state_dict"])
    }

    @Test func stateDictWrapperWinsOverModel() throws {
        let a = T.dict([("a", T.tensor(T.storage(count: 1), size: [1], stride: [1]))])
        let b = T.dict([("b", T.tensor(T.storage(key: "1", count: 1), size: [1], stride: [1]))])
        #expect(try interpret(T.dict([("model", b), ("state_dict", a)])).tensors.map(\.info.name) == ["a"])
    }

    @Test func topLevelThatIsNotAStateDict() throws {
        #expect(error(T.dict([("epoch", .int(3))]))?.kind == .unsupported)
        #expect(error(T.dict([("state_dict", .int(3))]))?.kind == .unsupported)
        #expect(error(.list([]))?.kind == .unsupported)
        #expect(error(T.tensor(T.storage(count: 1), size: [1], stride: [1]))?.kind == .unsupported)
        #expect(error(.dict([.init(key: .int(1), value: T.tensor(T.storage(count: 1), size: [1], stride: [1]))]))?.kind == .malformed)
    }

    @Test func emptyStateDictHasNoTensors() throws {
        #expect(try interpret(.dict([])).tensors.isEmpty)
    }

    @Test func repeatedKeyKeepsFirstPositionAndLastValue() throws {
        // Python dict semantics when a pickle sets a key twice.
        let root = T.dict([
            ("a", T.tensor(T.storage(count: 4), size: [1], stride: [1])),
            ("b", T.tensor(T.storage(count: 4), size: [2], stride: [1])),
            ("a", T.tensor(T.storage(count: 4), size: [3], stride: [1])),
        ])
        #expect(try interpret(root).tensors.map(\.info.name) == ["a", "b"])
        #expect(try interpret(root).tensors.map(\.info.shape) == [[3], [2]])
    }
}
