/// Recognises PyTorch checkpoint formats from a file's first bytes (never from its name).
public enum TorchFormatSniffer {
    /// `torch._C._save` legacy magic: the pickle of `MAGIC_NUMBER = 0x1950a86a20f9469cfc6c`
    /// (PROTO 2, LONG1 of 10 bytes, STOP), torch/serialization.py.
    public static let legacyMagic: [UInt8] = [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]

    /// Bytes needed to tell every format apart (the tar magic sits at offset 257).
    public static let prefixLength = 262

    /// A zip archive (`torch.save` since 1.6): starts with a local file header `PK\x03\x04`.
    public static func isZip(_ prefix: UnsafeRawBufferPointer) -> Bool {
        prefix.count >= 4 && prefix[0] == 0x50 && prefix[1] == 0x4B && prefix[2] == 0x03 && prefix[3] == 0x04
    }

    /// A legacy `torch.save` stream (`_use_new_zipfile_serialization=False`): the magic pickle.
    public static func isLegacy(_ prefix: UnsafeRawBufferPointer) -> Bool {
        prefix.count >= legacyMagic.count && prefix.prefix(legacyMagic.count).elementsEqual(legacyMagic)
    }

    /// A tar archive (`ustar` at offset 257), the format of `torch.save` before 0.4: not supported,
    /// recognised only to say so.
    public static func isLegacyTar(_ prefix: UnsafeRawBufferPointer) -> Bool {
        prefix.count >= 262 && prefix[257..<262].elementsEqual("ustar".utf8)
    }
}
