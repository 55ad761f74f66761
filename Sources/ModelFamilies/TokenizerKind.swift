/// Which tokenizer algorithm a family's checkpoints ship.
public enum TokenizerKind: String, Sendable, Equatable {
    /// GPT-2 byte-level BPE (`vocab.json` + `merges.txt`): RoBERTa.
    case byteLevelBPE
    /// SentencePiece unigram (`sentencepiece.bpe.model`): XLM-R, CamemBERT.
    case sentencePiece
    /// WordPiece (`vocab.txt`, `##` continuations): BERT.
    case wordPiece
}
