/// The pickle GLOBALs a PyTorch state dict may reference, and only those: the tensor and parameter
/// rebuild functions, the storage classes and `collections.OrderedDict` (design.md §B6.3-§B6.5).
/// This is narrower than torch's own `weights_only=True` unpickler; everything else (`os.system`,
/// `builtins.eval`, `argparse.Namespace`, numpy scalars...) is refused with `.forbidden`.
enum TorchPickleGlobals {
    /// `module.name` strings recorded as they appear.
    static let accepted: Set<String> = {
        var names: Set<String> = [
            "collections.OrderedDict",
            "torch._utils._rebuild_tensor_v2",
            "torch._utils._rebuild_parameter",
            "torch._utils._rebuild_parameter_with_state",
            // A tensor with Python attributes (or a subclass) is pickled through this wrapper, with
            // `torch.Tensor` / `torch.nn.parameter.Parameter` as its `new_type` argument.
            "torch._tensor._rebuild_from_type_v2",
            "torch.Tensor",
            "torch.nn.parameter.Parameter",
        ]
        for dtype in DType.allCases { names.insert("torch.\(dtype.torchStorageClass)") }
        return names
    }()

    /// Recognised PyTorch features this reader does not handle, with the reason given to the user.
    static let unsupported: [String: String] = {
        var reasons: [String: String] = [
            "torch._utils._rebuild_tensor_v3": "tensors of dtypes without a classic storage class (float8, uint16...) are not supported",
            "torch._utils._rebuild_qtensor": "quantized tensors are not supported",
            "torch._utils._rebuild_sparse_tensor": "sparse tensors are not supported",
            "torch._utils._rebuild_sparse_csr_tensor": "sparse tensors are not supported",
            "torch._utils._rebuild_nested_tensor": "nested tensors are not supported",
            "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors hold no data",
            "torch._utils._rebuild_wrapper_subclass": "tensor subclasses are not supported",
            "torch._utils._rebuild_device_tensor_from_numpy": "device tensors from numpy are not supported",
            "torch.UntypedStorage": "untyped storages are not supported",
        ]
        for name in ["ComplexFloatStorage", "ComplexDoubleStorage"] {
            reasons["torch.\(name)"] = "complex tensors are not supported"
        }
        for name in ["QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage"] {
            reasons["torch.\(name)"] = "quantized tensors are not supported"
        }
        return reasons
    }()

    /// The policy the torch readers give the ``Unpickler`` for the object pickle.
    static let policy = PickleGlobalPolicy { module, name in
        let qualified = "\(module).\(name)"
        if accepted.contains(qualified) { return .accept }
        if let reason = unsupported[qualified] { return .unsupported(reason) }
        return .forbid
    }
}
