import ArgumentParser
import Foundation
import HubCache
import Tokenization

/// `lsg-convert tokenize MODEL TEXT... [--pair TEXT ...] [--json]`: the ids, tokens and token type
/// ids the model's tokenizer gives (RoBERTa byte-level BPE or BERT WordPiece, picked from the files),
/// identical to Hugging Face `tokenizers` as transformers' AutoTokenizer loads it.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids and tokens of texts, as Hugging Face tokenizers does.",
        discussion: """
            MODEL is a folder with tokenizer.json (or vocab.json + merges.txt, or BERT's vocab.txt), or a \
            model name found in the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub) \
            or downloaded from HF_ENDPOINT unless HF_HUB_OFFLINE is set. The tokenizer is chosen from \
            tokenizer.json's model type. With --pair, text N is encoded with pair N as \
            tokenizer(text, pair) does ([CLS] A [SEP] B [SEP], token type ids 0 then 1; WordPiece only). \
            Truncation and padding stored inside tokenizer.json are ignored, as transformers ignores them.
            """
    )

    @Argument(help: "Model folder or Hugging Face model name.")
    var model: String

    @Argument(help: "Texts (or none with --input).")
    var texts: [String] = []

    @OptionGroup var input: TextInputOptions

    @Option(help: "Second sequence of a text pair; give it once per text.")
    var pair: [String] = []

    @Option(help: "Revision (branch, tag or commit) when MODEL is a hub name.")
    var revision: String = "main"

    @Flag(help: "Print JSON: [{\"text\", \"input_ids\", \"tokens\"}] (plus \"pair\" and \"token_type_ids\" for WordPiece).")
    var json = false

    @Flag(help: "Do not add the special tokens (<s> </s>, [CLS] [SEP]).")
    var noSpecialTokens = false

    @Flag(help: "Truncate to the tokenizer's model_max_length.")
    var truncate = false

    @Option(help: "Truncate to this many ids (special tokens included).")
    var maxLength: Int?

    @Option(help: "Truncation strategy for pairs: longest_first (default), only_first, only_second.")
    var truncationStrategy: String?

    func validate() throws {
        if texts.isEmpty && input.inputPath == nil { throw ValidationError("give at least one text, or --input FILE") }
        if !pair.isEmpty && input.inputPath == nil && pair.count != texts.count {
            throw ValidationError("give --pair once per text (\(texts.count) texts, \(pair.count) pairs)")
        }
        if let s = truncationStrategy, TruncationStrategy(rawValue: s) == nil {
            throw ValidationError("--truncation-strategy must be one of \(TruncationStrategy.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        // HubError and TokenizerError describe themselves; ArgumentParser prints them and exits 1.
        let folder = try ModelResolver(log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
            .resolve(name: model, revision: revision, requirement: .tokenizer)
        let tokenizer = try TokenizerLoader.load(folder: folder)
        let texts = try input.texts(arguments: self.texts)
        if !pair.isEmpty && pair.count != texts.count {
            throw ValidationError("give --pair once per text (\(texts.count) texts, \(pair.count) pairs)")
        }
        let strategy = truncationStrategy.flatMap(TruncationStrategy.init(rawValue:))
            ?? (truncate || maxLength != nil ? .longestFirst : nil)
        let encodings = try texts.indices.map { i in
            try tokenizer.encode(texts[i], pair: pair.isEmpty ? nil : pair[i], addSpecialTokens: !noSpecialTokens,
                                 truncation: strategy, maxLength: maxLength)
        }
        let showTypes = tokenizer.returnsTokenTypeIDs
        if json {
            let objects: [[String: Any]] = texts.indices.map { i in
                var object: [String: Any] = ["text": texts[i], "input_ids": encodings[i].ids, "tokens": encodings[i].tokens]
                if !pair.isEmpty { object["pair"] = pair[i] }
                if showTypes { object["token_type_ids"] = encodings[i].typeIDs }
                return object
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for (n, enc) in encodings.enumerated() {
            if texts.count > 1 { print("\(n == 0 ? "" : "\n")text \(n + 1): \(texts[n].debugDescription)") }
            if !pair.isEmpty { print("pair: \(pair[n].debugDescription)") }
            print("ids (\(enc.ids.count)): \(enc.ids.map(String.init).joined(separator: " "))")
            let idWidth = String(tokenizer.vocabularySize).count
            for (i, id) in enc.ids.enumerated() {
                let piece = tokenizer.decode([id], skipSpecialTokens: false, cleanUpTokenizationSpaces: false)
                let padded = String(repeating: " ", count: max(0, idWidth - String(id).count)) + String(id)
                let type = showTypes ? "  \(enc.typeIDs[i])" : ""
                print("  \(padded)\(type)  \(enc.tokens[i].padding(toLength: max(12, enc.tokens[i].count), withPad: " ", startingAt: 0))  \(piece.debugDescription)")
            }
        }
    }
}
