// The MLM decoder (hidden -> vocabulary logits), in row blocks when the logits go to a file.
import CheckpointIO

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
        let packed = h.rows > hidden + rowBlock ? PackedWeightPanels(weight: decoder.pointer, n: vocab, k: hidden) : nil
        let blockRows = packed == nil ? h.rows : rowBlock
        var start = 0
        while start < h.rows {
            let rows = min(blockRows, h.rows - start)
            let block = UnsafeMutableRawBufferPointer(start: logits.row(start), count: rows * vocab * 4)
            MappedPages.populateForWriting(block)
            if let packed {
                packed.multiply(m: rows, a: h.row(start), lda: h.cols, c: logits.row(start), ldc: vocab, bias: bias.pointer)
            } else {
                Linear(weight: decoder, bias: bias).apply(h, into: logits)
            }
            MappedPages.releaseWholePages(UnsafeRawBufferPointer(block))
            start += rows
        }
        return logits
    }
}
