// libFuzzer target: the tokenizers. The first byte picks what the rest is:
//   0: a `precompiled_charsmap` blob (the SentencePiece rules parser, then normalizing text with it);
//   1: a tokenizer.json (loaded as Unigram in memory, and as a folder through TokenizerLoader, which
//      also reaches the byte-level BPE loader), then used on a few texts;
//   2: UTF-8-or-not text (first 8 KiB), tokenized and decoded by the fixture tokenizers (BPE, XLM-R and
//      CamemBERT Unigram).
// Nothing may crash; errors must be TokenizerError.
import Foundation

private let fixtureTokenizers: [any TextTokenizer] = {
    let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("fixtures")
    return ["tokenizer/roberta-bpe", "tokenizer/roberta-bpe-prefix", "models/tiny-xlmr-mlm", "tokenizer/camembert-unigram"].map {
        try! TokenizerLoader.load(folder: root.appendingPathComponent($0))
    }
}()

private let scratch: URL = {
    let url = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("fuzz-tokenizer-\(getpid())")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

private let sampleTexts = ["Paris is the <mask> of France.", "ｆｕｌｌ ﬁ e\u{301} 😀 東京\t\n  x", "", " <s>a</s> "]

private func exercise(_ tokenizer: any TextTokenizer, _ text: String) {
    let encoding = tokenizer.encode(text, addSpecialTokens: true, truncation: true, maxLength: 64)
    _ = tokenizer.decode(encoding.ids, skipSpecialTokens: false, cleanUpTokenizationSpaces: nil)
    _ = tokenizer.decode(encoding.ids, skipSpecialTokens: true, cleanUpTokenizationSpaces: false)
    if let unigram = tokenizer as? UnigramTokenizer {
        _ = unigram.encodeBatch([text, "a"], padToMultipleOf: 8)
        _ = try? unigram.encode(text, pair: text, truncation: .longestFirst, maxLength: 16)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTokenizer(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let rest = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    switch data[0] % 3 {
    case 0:
        do {
            let map = try PrecompiledCharsMap(bytes: rest, file: "fuzz")
            for text in sampleTexts { _ = map.normalize(text) }
            _ = map.normalize(String(decoding: rest.prefix(256), as: UTF8.self))
        } catch is TokenizerError {} catch { fatalError("charsmap: unexpected error \(error)") }
    case 1:
        if let json = (try? JSONSerialization.jsonObject(with: Data(rest))) as? [String: Any] {
            do {
                let tokenizer = try UnigramTokenizer(tokenizerJSON: json, file: "fuzz", folder: nil)
                for text in sampleTexts { exercise(tokenizer, text) }
            } catch is TokenizerError {} catch { fatalError("Unigram: unexpected error \(error)") }
        }
        do {
            try Data(rest).write(to: scratch.appendingPathComponent("tokenizer.json"))
            let tokenizer = try TokenizerLoader.load(folder: scratch)
            for text in sampleTexts { exercise(tokenizer, text) }
        } catch is TokenizerError {} catch { fatalError("loader: unexpected error \(error)") }
    default:
        // 8 KiB of text is enough to reach every path; longer inputs only slow the campaign down.
        let text = String(decoding: rest.prefix(8192), as: UTF8.self)
        for tokenizer in fixtureTokenizers { exercise(tokenizer, text) }
    }
    return 0
}
