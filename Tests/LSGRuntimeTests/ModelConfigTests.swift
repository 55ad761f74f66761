import CheckpointIO
import LSGRuntime
import Testing
import TestSupport

@Suite("Model config")
struct ModelConfigTests {
    static let lsgConfig = Fixtures.path("runtime/lsg-mlm/config.json")

    @Test("an LSG config.json gives the LSG keys; a RoBERTa one none")
    func detectsLSG() throws {
        let lsg = try ModelConfig(contentsOf: Self.lsgConfig)
        #expect(lsg.lsg?.blockSize == 8 && lsg.lsg?.sparsityType == .norm && lsg.head == .maskedLM)
        let roberta = try ModelConfig(contentsOf: Fixtures.path("runtime/roberta-mlm/config.json"))
        #expect(roberta.lsg == nil)
        #expect(roberta.maxPositionEmbeddings == 514)
    }

    @Test("--set values: JSON, Python literals, bare strings")
    func overrideParsing() {
        #expect(ConfigOverride.parse(assignment: "block_size=32")! == ("block_size", .int(32)))
        #expect(ConfigOverride.parse(assignment: "sparsity_type=pooling")!.value == .string("pooling"))
        #expect(ConfigOverride.parse(assignment: "adaptive=False")!.value == .bool(false))
        #expect(ConfigOverride.parse(assignment: "sparsity_type=None")!.value == .null)
        #expect(ConfigOverride.parse(assignment: "layer_norm_eps=1e-5")!.value == .double(1e-5))
        #expect(ConfigOverride.parse(assignment: "noequals") == nil)
    }

    @Test("overrides are validated like LSGRobertaConfig.__init__")
    func validation() throws {
        let clamped = try ModelConfig(contentsOf: Self.lsgConfig, overrides: ["num_global_tokens": .int(0)])
        #expect(clamped.lsg?.numGlobalTokens == 1)
        let forced = try ModelConfig(contentsOf: Self.lsgConfig, overrides: ["mask_first_token": .bool(true), "pool_with_global": .bool(false)])
        #expect(forced.lsg?.poolWithGlobal == true)
        let unknown = try ModelConfig(contentsOf: Self.lsgConfig, overrides: ["sparsity_type": .string("bogus")])
        #expect(unknown.lsg?.sparsityType == nil)
        #expect(throws: RuntimeError.self) {
            try ModelConfig(contentsOf: Self.lsgConfig, overrides: ["block_size": .int(10), "sparsity_factor": .int(4)])
        }
        #expect(throws: RuntimeError.self) {
            try ModelConfig(contentsOf: Self.lsgConfig, overrides: ["block_size": .string("large")])
        }
    }
}
