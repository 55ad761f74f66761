import ArgumentParser
import Foundation
import HubCache
import Tokenization

/// `lsg-convert tokenize MODEL TEXT... [--input FILE] [--json]`: the ids and tokens the folder's
/// tokenizer gives (byte-level BPE or SentencePiece Unigram, chosen from tokenizer.json), identical
/// to Hugging Face `tokenizers`.
struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids and tokens of texts, as Hugging Face tokenizers does.",
        discussion: """
            MODEL is a folder with tokenizer.json (or vocab.json + merges.txt), or a model name found in \
            the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub) or downloaded \
            from HF_ENDPOINT unless HF_HUB_OFFLINE is set. The tokenizer follows tokenizer.json's model \
            type: BPE (RoBERTa's byte-level BPE) or Unigram (XLM-RoBERTa, CamemBERT). Texts come from \
            the arguments and from --input FILE ('-' for standard input), one per line, or the whole \
            file as one text with --whole-input.
            """
    )

    @Argument(help: "Model folder or Hugging Face model name.")
    var model: String

    @Argument(help: "Texts (or none with --input).")
    var texts: [String] = []

    @OptionGroup var input: TextInputOptions

    @Option(help: "Revision (branch, tag or commit) when MODEL is a hub name.")
    var revision: String = "main"

    @Flag(help: "Print JSON: [{\"text\", \"input_ids\", \"tokens\"}].")
    var json = false

    @Flag(help: "Do not add <s> and </s>.")
    var noSpecialTokens = false

    @Flag(help: "Truncate to the tokenizer's model_max_length.")
    var truncate = false

    @Option(help: "Truncate to this many ids (special tokens included).")
    var maxLength: Int?

    func validate() throws {
        if texts.isEmpty && input.inputPath == nil { throw ValidationError("give at least one text, or --input FILE") }
    }

    func run() throws {
        // HubError and TokenizerError describe themselves; ArgumentParser prints them and exits 1.
        let folder = try ModelResolver(log: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
            .resolve(name: model, revision: revision, requirement: .tokenizer)
        let tokenizer = try TokenizerLoader.load(folder: folder)
        let texts = try input.texts(arguments: self.texts)
        let encodings = texts.map {
            tokenizer.encode($0, addSpecialTokens: !noSpecialTokens, truncation: truncate, maxLength: maxLength)
        }
        if json {
            let objects: [[String: Any]] = zip(texts, encodings).map { text, enc in
                ["text": text, "input_ids": enc.ids, "tokens": enc.tokens]
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        for (n, (text, enc)) in zip(texts, encodings).enumerated() {
            if texts.count > 1 { print("\(n == 0 ? "" : "\n")text \(n + 1): \(text.debugDescription)") }
            print("ids (\(enc.ids.count)): \(enc.ids.map(String.init).joined(separator: " "))")
            let idWidth = String(tokenizer.vocabularySize).count
            for (i, id) in enc.ids.enumerated() {
                let piece = tokenizer.decode([id], cleanUpTokenizationSpaces: false)
                let padded = String(repeating: " ", count: max(0, idWidth - String(id).count)) + String(id)
                print("  \(padded)  \(enc.tokens[i].padding(toLength: max(12, enc.tokens[i].count), withPad: " ", startingAt: 0))  \(piece.debugDescription)")
            }
        }
    }
}
