import CheckpointIO
import Foundation
import LSGConversion
import Testing
import TestSupport

/// Options the reference crashes on or silently changes are refused before anything is written,
/// with a message saying why (reference §1, §7.5).
@Suite("LSG option validation")
struct ConfigValidationTests {
    /// Plans tiny-mlm with `change` applied; returns the error thrown.
    func rejection(_ change: (inout ConversionOptions) -> Void) throws -> ConversionError {
        var options = ConversionOptions()
        change(&options)
        do {
            _ = try ConversionFixtures.plan(ConversionFixtures.source("tiny-mlm"), options: options)
        } catch let error as ConversionError {
            return error
        }
        Issue.record("expected a ConversionError")
        return ConversionError(.invalidOption, nil, "")
    }

    @Test("block_size must be a multiple of sparsity_factor")
    func blockSizeMultiple() throws {
        let error = try rejection { $0.blockSize = 100; $0.sparsityFactor = 3 }
        #expect(error.kind == .invalidOption)
        #expect(error.description.contains("multiple of sparsity_factor"))
    }

    @Test("odd block_size / sparsity_factor > 1 crashes the reference")
    func oddStep() throws {
        // bs=12, sf=4: step 3 (the reference builds nb-1 windows, then `cat` fails).
        let error = try rejection { $0.blockSize = 12; $0.sparseBlockSize = 12; $0.sparsityFactor = 4 }
        #expect(error.description.contains("is odd"))
    }

    @Test("sparse blocks at most 3/4 of the step lose tokens silently")
    func smallSparseBlocks() throws {
        // 16/2/6: step 8, sbs 6 <= 6 keeps only the LEFT window (§7.5).
        let error = try rejection { $0.blockSize = 16; $0.sparsityFactor = 2; $0.sparseBlockSize = 6 }
        #expect(error.subject == "sparse_block_size")
        #expect(error.description.contains("3/4"))
    }

    @Test("lsh with chunk == factor crashes")
    func lshSingleBucket() throws {
        // c = min(bs, sbs) = 4 = sf, sf != sbs: the last round hashes into 1 bucket.
        let error = try rejection { $0.blockSize = 4; $0.sparseBlockSize = 8; $0.sparsityFactor = 4; $0.sparsityType = "lsh" }
        #expect(error.description.contains("single bucket"))
    }

    @Test("unknown sparsity type")
    func unknownType() throws {
        let error = try rejection { $0.sparsityType = "random" }
        #expect(error.subject == "sparsity_type")
        #expect(error.description.contains("bos_pooling"))
    }

    @Test("num_global_tokens outside 1...512", arguments: [0, 513])
    func globalTokenRange(_ count: Int) throws {
        let error = try rejection { $0.numGlobalTokens = count }
        #expect(error.subject == "num_global_tokens")
    }

    @Test("mask_first_token needs pool_with_global")
    func maskFirstToken() throws {
        let error = try rejection { $0.maskFirstToken = true; $0.poolWithGlobal = false }
        #expect(error.subject == "pool_with_global")
    }

    @Test("a stride that does not divide 512 (reshape error in the reference)")
    func badStride() throws {
        let error = try rejection { $0.globalPositionalStride = 48 }
        #expect(error.subject == "--global-positional-stride")
    }

    @Test("--set cannot change keys the conversion owns", arguments: ["max_position_embeddings", "architectures", "auto_map"])
    func reservedKeys(_ key: String) throws {
        let error = try rejection { $0.configOverrides = [(key: key, value: .int(1))] }
        #expect(error.subject == "--set \(key)")
    }

    @Test("--set values reach the config with their JSON type; LSG keys are validated after --set")
    func setOverrides() throws {
        var options = ConversionOptions()
        options.configOverrides = [(key: "num_labels", value: .int(5)), (key: "attention_probs_dropout_prob", value: .double(0.25)),
                                   (key: "sparsity_type", value: .null), (key: "custom_flag", value: .bool(true))]
        options.architecture = "RobertaForTokenClassification"
        let plan = try ConversionFixtures.plan(ConversionFixtures.source("tiny-mlm"), options: options)
        #expect(plan.config["id2label"]?.objectValue?.count == 5)
        #expect(plan.config["label2id"]?["LABEL_4"]?.intValue == 4)
        #expect(plan.config["attention_probs_dropout_prob"] == .double(0.25))
        #expect(plan.config["sparsity_type"] == .null)
        #expect(plan.config["custom_flag"] == .bool(true))
        #expect(plan.entry(named: "classifier.weight")?.info.shape == [5, 32])
        let error = try rejection { $0.configOverrides = [(key: "block_size", value: .int(100)), (key: "sparsity_factor", value: .int(3))] }
        #expect(error.subject == "block_size")
    }

    @Test("--set num_labels is bounded (10^12 labels would build a config of 10^12 entries)", arguments: [0, -3, 1_000_001, 1_000_000_000_000])
    func numLabelsBounds(_ n: Int) throws {
        let error = try rejection {
            $0.architecture = "RobertaForSequenceClassification"
            $0.configOverrides = [(key: "num_labels", value: .int(Int64(n)))]
        }
        #expect(error.subject == "--set num_labels")
    }

    @Test("unknown architecture and model type")
    func unsupported() throws {
        let error = try rejection { $0.architecture = "BertForMaskedLM" }
        #expect(error.kind == .unsupportedArchitecture)
        #expect(error.description.contains("LSGRobertaForTokenClassification"))
    }

    @Test("--max-len must be positive")
    func maxLength() throws {
        let error = try rejection { $0.maxLength = 0 }
        #expect(error.subject == "--max-len")
    }

    @Test("an invalid option writes nothing")
    func nothingWritten() throws {
        let temp = try TemporaryDirectory("lsg-validate")
        var options = ConversionOptions()
        options.sparsityType = "nope"
        #expect(throws: ConversionError.self) {
            _ = try ConversionFixtures.convert(ConversionFixtures.source("tiny-mlm"), options: options, to: temp.url("out"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temp.path).isEmpty)
    }
}
