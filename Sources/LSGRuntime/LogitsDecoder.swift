// The MLM decoder (hidden -> vocabulary logits), in row blocks when the logits go to a file.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `logits [rows, vocab] = h [rows, hidden] · decoderᵀ + bias`, the largest product of an MLM forward
/// (824 MB of output for 4096 tokens of roberta-base).
///
/// When the logits matrix lies in `infer`'s mapped output file (``Matrix/isInSharedFileMapping``) and
/// is larger than the packed decoder, the decoder is packed once (``PackedWeightPanels``) and applied
/// ``rowBlock`` rows at a time (shorter outputs are one block, without packing): each
/// block's pages are mapped in one call before the GEMM writes them (`MADV_POPULATE_WRITE`: the
/// GEMM's scattered first touches from two threads faulted one page at a time, ~0.9 CPU-s for 824
/// MB) and given back once written (`MADV_DONTNEED`: the file keeps the values), so the process holds
/// one block of logits, not all of them (issue 14, item 4). Otherwise one GEMM writes the whole matrix.
/// Both paths give bit-identical logits.
enum LogitsDecoder {
    /// Rows per block: two of the GEMM's row blocks (77 MB of roberta-base logits).
    static var rowBlock: Int { 2 * GEMM.mc }

    /// `[rows, vocab]` logits of `h` (`decoder [vocab, hidden]`, `bias [vocab]`).
    static func decode(_ h: Matrix, decoder: Weight, bias: Weight) -> Matrix {
        let vocab = decoder.shape[0], hidden = decoder.shape[1]
        let logits = Matrix(rows: h.rows, cols: vocab, zeroed: false)
        guard logits.isInSharedFileMapping, h.rows > GEMM.fewRowsLimit, !decoder.releasesPagesAfterUse else {
            Linear(weight: decoder, bias: bias).apply(h, into: logits)
            return logits
        }
        // The packed decoder (vocab x hidden) plus one block outweighs the whole output up to
        // hidden + rowBlock rows (1152 for roberta-base): shorter outputs are one block, no packing.
        if h.rows <= hidden + rowBlock {
            let bytes = h.rows * vocab * 4
            SharedFilePages.populate(UnsafeMutableRawPointer(logits.data), byteCount: bytes)
            Linear(weight: decoder, bias: bias).apply(h, into: logits)
            SharedFilePages.release(UnsafeMutableRawPointer(logits.data), byteCount: bytes)
            return logits
        }
        let packed = PackedWeightPanels(weight: decoder.pointer, n: vocab, k: hidden)
        var start = 0
        while start < h.rows {
            let rows = min(rowBlock, h.rows - start)
            let block = UnsafeMutableRawPointer(logits.row(start))
            let bytes = rows * vocab * 4
            SharedFilePages.populate(block, byteCount: bytes)
            packed.multiply(m: rows, a: h.row(start), lda: h.cols, c: logits.row(start), ldc: vocab, bias: bias.pointer)
            SharedFilePages.release(block, byteCount: bytes)
            start += rows
        }
        return logits
    }
}

/// `madvise` on pages of a shared file mapping: populate before writing, release after.
enum SharedFilePages {
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
    /// `MADV_POPULATE_WRITE` (Linux 5.14, uapi/asm-generic/mman-common.h); Glibc's Swift module does
    /// not export it.
    static let populateWrite: Int32 = 23

    /// Maps every page touching `[pointer, pointer + byteCount)` writable, in one call. Where the call
    /// is unknown (older kernels: EINVAL) or fails, the pages fault in on first store as usual.
    static func populate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        #if os(Linux)
        let start = Int(bitPattern: pointer) / pageSize * pageSize
        let end = Int(bitPattern: pointer) + byteCount
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, populateWrite)
        #endif
    }

    /// Drops the whole pages inside the range from this process (partial pages at either end stay:
    /// they hold neighbouring rows still to be written). Dirty pages go back to the page cache with
    /// their contents, to be written to the file as usual.
    static func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let start = (Int(bitPattern: pointer) + pageSize - 1) / pageSize * pageSize
        let end = (Int(bitPattern: pointer) + byteCount) / pageSize * pageSize
        guard end > start else { return }
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_DONTNEED)
    }
}
