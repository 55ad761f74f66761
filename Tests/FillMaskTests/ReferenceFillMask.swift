import Foundation
import Testing
import TestSupport

/// transformers 4.36.2 `pipeline("fill-mask")` results recorded by the fixture scripts:
/// `fixtures/tokenizer/fill_mask.json` (make_tokenizer_fixtures.py: short texts on tiny-roberta-mlm)
/// and `fixtures/fill_mask/tiny-lsg-1024.json` (make_fill_mask_fixtures.py: the reference's LSG
/// conversion of tiny-roberta-mlm, long texts, truncation).
struct ReferenceFillMask: Decodable {
    struct Candidate: Decodable {
        var token: Int
        var token_str: String
        var sequence: String
        var score: Double
    }

    struct Run: Decodable, CustomTestStringConvertible {
        /// Which model ran: `tiny-roberta-mlm`, `tiny-lsg-1024` (fill_mask.json calls it `tokenizer`).
        var model: String?
        var tokenizer: String?
        var text: String
        /// Whether the pipeline got `tokenizer_kwargs={"truncation": True}`.
        var truncation: Bool?
        /// The ids the pipeline gave the model.
        var input_ids: [Int]
        /// One list per mask, best first.
        var predictions: [[Candidate]]?
        /// The PipelineException text, when the input had no mask left.
        var error: String?

        var modelName: String { model ?? tokenizer ?? "" }
        var testDescription: String { "\(modelName): \(text.prefix(40).debugDescription) (\(input_ids.count) ids)" }
    }

    var runs: [Run]

    static func load(_ relative: String) throws -> ReferenceFillMask {
        try JSONDecoder().decode(ReferenceFillMask.self, from: Data(contentsOf: Fixtures.url(relative)))
    }

    /// The short-text runs on the shipped tiny RoBERTa (fill_mask.json also holds strings-only runs
    /// of a throw-away model, skipped here).
    static let tinyRuns: [Run] = ((try? load("tokenizer/fill_mask.json"))?.runs ?? []).filter { $0.modelName == "tiny-roberta-mlm" }
    /// Every run of the LSG fixture (tiny RoBERTa and its LSG conversion).
    static let lsgFixtureRuns: [Run] = (try? load("fill_mask/tiny-lsg-1024.json"))?.runs ?? []
}
