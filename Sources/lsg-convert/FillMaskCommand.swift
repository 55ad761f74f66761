import ArgumentParser
import CheckpointIO
import Foundation
import LSGRuntime
import Tokenization

/// `lsg-convert fill-mask MODEL TEXT... [--top-k 5] [--json]`: transformers' `pipeline("fill-mask")`
/// on the bundled Float32 runtime, for RoBERTa and LSG-RoBERTa masked-LM folders.
struct FillMaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill-mask",
        abstract: "Predict the mask tokens (<mask>, [MASK]) of texts, like the transformers fill-mask pipeline.",
        discussion: """
            MODEL is a RoBERTa / XLM-RoBERTa / CamemBERT (or LSG) masked-LM folder (config.json, weights, tokenizer files), \
            or a model name found in the Hugging Face cache (HF_HUB_CACHE, HF_HOME/hub, \
            ~/.cache/huggingface/hub) or downloaded from HF_ENDPOINT unless HF_HUB_OFFLINE is set. \
            Each text is run alone, as the pipeline does, after truncation to the tokenizer's \
            model_max_length (the pipeline's tokenizer_kwargs={"truncation": True}). For each mask: the \
            softmax over the vocabulary of the logits there, the top-k tokens with their score, token \
            string and the text with that mask filled. With several masks every mask gets its own list \
            and the sequence keeps the other mask tokens, as in transformers 4.36. The mask token is the \
            tokenizer's (<mask> for RoBERTa, [MASK] for BERT). --json prints \
            the pipeline's result the way json.dumps writes it (a list of lists for several masks; one \
            entry per text when several texts are given). Texts also come from --input FILE ('-' for \
            standard input), one per line, or the whole file as one text with --whole-input. The \
            tokenizer follows tokenizer.json's model type (byte-level BPE, WordPiece, SentencePiece Unigram).
            """
    )

    @Argument(help: "Model folder or Hugging Face model name (e.g. roberta-base-lsg-4096, roberta-base).")
    var model: String

    @Argument(help: "Texts, each with at least one mask token (<mask> for RoBERTa, XLM-R, CamemBERT; [MASK] for BERT), or none with --input.")
    var texts: [String] = []

    @OptionGroup var input: TextInputOptions

    @Option(help: "Number of predictions per mask.")
    var topK: Int = 5

    @Flag(help: "Print the pipeline's result as JSON: [{\"score\", \"token\", \"token_str\", \"sequence\"}] (per mask, per text).")
    var json = false

    @Option(help: "Revision (branch, tag or commit) when MODEL is a hub name.")
    var revision: String = "main"

    @OptionGroup var runtimeOptions: RuntimeOptions

    /// The top-k of one mask with the pipeline's strings.
    struct Prediction {
        struct Candidate {
            var score: Float
            var token: Int
            var tokenString: String
            var sequence: String
        }

        /// Index of the mask in the encoded text.
        var position: Int
        var candidates: [Candidate]
    }

    /// A text that cannot be filled.
    enum FillMaskError: Error, CustomStringConvertible {
        /// The pipeline raises `PipelineException("fill-mask", ..., "No mask_token (<mask>) found on the input")`,
        /// also when truncation removed every mask.
        case noMask(text: Int, of: Int, mask: String, truncatedTo: Int?)
        /// The folder's weights lack `lm_head.*`.
        case noMaskedLMHead(model: String, missing: String)

        var description: String {
            switch self {
            case let .noMask(text, count, mask, truncatedTo):
                let which = count > 1 ? "text \(text): " : ""
                let why = truncatedTo.map { " (after truncation to model_max_length \($0))" } ?? ""
                return "\(which)No mask_token (\(mask)) found on the input\(why)"
            case let .noMaskedLMHead(model, missing):
                return "\(model) has no masked-LM head (missing weight `\(missing)`): fill-mask needs a RobertaForMaskedLM or LSGRobertaForMaskedLM checkpoint"
            }
        }
    }

    func validate() throws {
        if texts.isEmpty && input.inputPath == nil { throw ValidationError("give at least one text with a mask token, or --input FILE") }
        if topK < 1 { throw ValidationError("--top-k must be at least 1") }
    }

    func run() throws {
        let overrideMap = runtimeOptions.apply()
        try CommandSupport.reportingErrors {
            let folder = try ModelArgument.resolveFolder(model, revision: revision)
            let tokenizer = try TokenizerLoader.load(folder: folder)
            let texts = try input.texts(arguments: self.texts)
            if texts.isEmpty { throw ValidationError("no text in --input \(input.inputPath ?? "")") }
            // A text without the tokenizer's mask token fails before the model is loaded.
            for (n, text) in texts.enumerated()
            where tokenizer.encode(text, addSpecialTokens: true, truncation: false, maxLength: nil).positions(of: tokenizer.maskTokenID).isEmpty {
                throw FillMaskError.noMask(text: n + 1, of: texts.count, mask: tokenizer.maskToken, truncatedTo: nil)
            }
            let runtime: RuntimeModel
            do {
                // The pipeline loads AutoModelForMaskedLM whatever architectures[0] says; lm_head must exist.
                runtime = try RuntimeModel(folder: folder.path, overrides: overrideMap, head: .maskedLM)
            } catch RuntimeError.missingWeight(let name) where name.hasPrefix("lm_head") {
                throw FillMaskError.noMaskedLMHead(model: model, missing: name)
            }
            let fill = try FillMask(model: runtime)

            // transformers' truncation=True cuts to model_max_length; a tokenizer without one (or one
            // larger than the position table) is held to the positions the model has (RoBERTa's
            // position ids start at padding_idx + 1).
            let positions = runtime.config.maxPositionEmbeddings - runtime.config.padTokenId - 1
            let limit = min(tokenizer.modelMaxLength ?? positions, positions)
            let encodings = texts.map { tokenizer.encode($0, addSpecialTokens: true, truncation: true, maxLength: limit) }
            for (n, encoding) in encodings.enumerated() where encoding.positions(of: tokenizer.maskTokenID).isEmpty {
                throw FillMaskError.noMask(text: n + 1, of: texts.count, mask: tokenizer.maskToken, truncatedTo: limit)
            }

            var results: [[Prediction]] = []
            for encoding in encodings {
                let masks = encoding.positions(of: tokenizer.maskTokenID)
                let ranked = try fill.predict(inputIDs: encoding.ids, maskTokenID: tokenizer.maskTokenID, topK: topK)
                results.append(zip(masks, ranked).map { position, candidates in
                    Prediction(position: position, candidates: candidates.map { candidate in
                        let text = tokenizer.fillMaskText(inputIDs: encoding.ids, maskPosition: position,
                                                          candidate: candidate.token, maskCount: masks.count)
                        return .init(score: candidate.score, token: candidate.token,
                                     tokenString: text.tokenString, sequence: text.sequence)
                    })
                })
            }
            if json {
                print(Self.pipelineJSON(results).serialized(indent: nil))
            } else {
                printHuman(results, texts: texts, encodings: encodings)
            }
        }
    }

    /// The value `FillMaskPipeline.__call__` returns: per text, a list of `{score, token, token_str,
    /// sequence}` for a single mask or a list of such lists for several masks; one text gives its own
    /// result, several texts a list of results.
    static func pipelineJSON(_ results: [[Prediction]]) -> JSONValue {
        func row(_ prediction: Prediction) -> JSONValue {
            .array(prediction.candidates.map { c in
                // Key order of the pipeline's dict; the score is the float32 value widened to a double,
                // as `tensor.tolist()` gives it.
                .object([("score", .double(Double(c.score))), ("token", .int(Int64(c.token))),
                         ("token_str", .string(c.tokenString)), ("sequence", .string(c.sequence))])
            })
        }
        let perText: [JSONValue] = results.map { masks in
            masks.count == 1 ? row(masks[0]) : .array(masks.map(row))
        }
        return perText.count == 1 ? perText[0] : .array(perText)
    }

    private func printHuman(_ results: [[Prediction]], texts: [String], encodings: [Encoding]) {
        for (n, masks) in results.enumerated() {
            if n > 0 { print("") }
            let header = texts.count > 1 ? "text \(n + 1): " : ""
            print("\(header)\(texts[n].debugDescription) (\(encodings[n].ids.count) tokens)")
            for (m, prediction) in masks.enumerated() {
                if masks.count > 1 { print("mask \(m + 1) of \(masks.count) (token \(prediction.position)):") }
                let idWidth = max(5, prediction.candidates.map { String($0.token).count }.max() ?? 0)
                let strWidth = max(9, prediction.candidates.map { $0.tokenString.debugDescription.count }.max() ?? 0)
                print("  score   \("token".leftPadded(idWidth))  \("token_str".padding(toLength: strWidth, withPad: " ", startingAt: 0))  sequence")
                for c in prediction.candidates {
                    let tokenString = c.tokenString.debugDescription
                    print("  \(String(format: "%.4f", c.score))  \(String(c.token).leftPadded(idWidth))  \(tokenString.padding(toLength: strWidth, withPad: " ", startingAt: 0))  \(c.sequence.debugDescription)")
                }
            }
        }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
