// Fixed-width little-endian loads for the binary parsers (pickle, zip, legacy torch).
// Callers check bounds first; the loads are unaligned because nothing in these formats is aligned.

extension UnsafeRawBufferPointer {
    /// The little-endian integer of type `T` at `offset` (which the caller has bounds-checked).
    @inline(__always)
    func littleEndian<T: FixedWidthInteger>(at offset: Int, as type: T.Type = T.self) -> T {
        T(littleEndian: loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// True when `[offset, offset + length)` lies inside the buffer (overflow-safe).
    @inline(__always)
    func contains(offset: Int, length: Int) -> Bool {
        offset >= 0 && length >= 0 && offset <= count && length <= count - offset
    }
}
