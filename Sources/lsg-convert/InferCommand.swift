import ArgumentParser
import CheckpointIO
import Foundation
import LSGRuntime
import ModelFamilies

/// `lsg-convert infer MODEL --inputs IN.safetensors --output OUT.safetensors [--set KEY=VALUE ...]`:
/// runs a RoBERTa / BERT or LSG folder on the CPU (Float32) with the bundled runtime.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run an encoder (RoBERTa, XLM-R, CamemBERT, BERT) or LSG model folder on token ids (Float32, CPU).",
        discussion: """
            IN holds `input_ids` (integer [batch, length]; [batch, choices, length] for multiple choice) \
            and optionally `attention_mask` (same shape, 1 = token, 0 = padding) and `token_type_ids` \
            (same shape, segment ids; default 0). OUT receives \
            `last_hidden_state` (float32 [batch, length, hidden]; for LSG models without the global \
            tokens and the adaptive padding, as the reference returns it) and the head's outputs: \
            `logits` (MLM [batch, length, vocab]; sequence classification [batch, labels]; token \
            classification [batch, length, labels]; multiple choice [batch, choices]), `start_logits` and \
            `end_logits` (question answering), `pooler_output` (base model with a pooler), \
            `prediction_logits` and `seq_relationship_logits` (BERT pre-training head). \
            The family, the model kind (plain or LSG) and the head come from config.json.
            """
    )

    @Argument(help: "Model folder (config.json and weights: safetensors, PyTorch or sharded).")
    var model: String

    @Option(help: "Safetensors file with `input_ids` and optionally `attention_mask` and `token_type_ids`.")
    var inputs: String

    @Option(help: "Safetensors file to write.")
    var output: String

    @OptionGroup var runtimeOptions: RuntimeOptions

    @Option(help: "Use this head instead of config.json's architectures[0] (e.g. RobertaModel, RobertaForMaskedLM, BertForPreTraining).")
    var head: String?

    @Option(help: "Seed of the random projections of sparsity_type=lsh (the reference draws fresh ones on every call).")
    var lshSeed: UInt64 = 0

    @Flag(help: "Replace OUT if it exists.")
    var overwrite = false

    func validate() throws {
        if let head, ModelArchitecture(className: head) == nil {
            let names = ModelFamily.all.flatMap { family in family.heads.map { family.classStem + $0.classSuffix } }
            throw ValidationError("unknown head '\(head)'; one of: \(names.joined(separator: ", ")) (an LSG prefix is accepted)")
        }
    }

    func run() throws {
        let overrideMap = runtimeOptions.apply()
        try CommandSupport.reportingErrors {
            let start = Date()
            let model = try RuntimeModel(folder: model, overrides: overrideMap, head: head.flatMap { ModelArchitecture(className: $0)?.task })
            let source = try Checkpoint.open(path: inputs)
            let ids = try Self.integers(source, "input_ids", file: inputs, required: true)!
            let mask = try Self.integers(source, "attention_mask", file: inputs, required: false)
            if let mask, mask.shape != ids.shape {
                throw RuntimeError.invalidInput("attention_mask shape \(mask.shape) differs from input_ids shape \(ids.shape)")
            }
            let types = try Self.integers(source, "token_type_ids", file: inputs, required: false)
            if let types, types.shape != ids.shape {
                throw RuntimeError.invalidInput("token_type_ids shape \(types.shape) differs from input_ids shape \(ids.shape)")
            }
            let forward = {
                try model.forward(inputIds: ids.values, shape: ids.shape, attentionMask: mask?.values, tokenTypeIds: types?.values,
                                  lshProjections: SeededLSHProjections(seed: lshSeed))
            }
            let result: ModelOutput
            if let layout = Self.mappedLayout(model, inputShape: ids.shape) {
                result = try Self.forwardIntoMappedFile(layout, path: output, overwrite: overwrite, forward)
            } else {
                result = try forward()
                let entries = result.tensors.map { tensor in
                    SafetensorsWriter.Entry(info: TensorInfo(name: tensor.name, dtype: .f32, shape: tensor.shape)) { sink in
                        try sink.write(tensor.bytes)
                    }
                }
                try SafetensorsWriter.write(entries, to: output, overwrite: overwrite)
            }
            let className = model.config.family.lsgClassName(model.head)
            let kind = model.config.lsg == nil ? String(className.dropFirst(3)) : className
            let summary = result.tensors.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
            print("\(kind): wrote \(output): \(summary) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s")
        }
    }

    /// The outputs of an MLM (or causal-LM) head, known before the forward: `last_hidden_state`
    /// `[batch, length, hidden]` and `logits` `[batch, length, vocab]`. `nil` for the other heads
    /// (small outputs, written by the streaming writer).
    static func mappedLayout(_ model: RuntimeModel, inputShape: [Int]) -> [TensorInfo]? {
        guard model.head == .maskedLM || model.head == .causalLM, inputShape.count == 2 else { return nil }
        let (batch, length) = (inputShape[0], inputShape[1])
        return [TensorInfo(name: "last_hidden_state", dtype: .f32, shape: [batch, length, model.config.hiddenSize]),
                TensorInfo(name: "logits", dtype: .f32, shape: [batch, length, model.config.vocabSize])]
    }

    /// Lays the output file out, maps it and runs `forward` with the logits matrix placed in the
    /// mapping (issue 14: the logits are written once, by the decoder GEMM, instead of computed into
    /// a buffer and then copied into the page cache). Tensors not produced in place (the hidden
    /// states) are copied in; outputs that differ from the layout fall back to the streaming writer.
    static func forwardIntoMappedFile(_ layout: [TensorInfo], path: String, overwrite: Bool,
                                      _ forward: () throws -> ModelOutput) throws -> ModelOutput {
        var file: MappedSafetensorsOutput? = try MappedSafetensorsOutput(path: path, infos: layout, overwrite: overwrite)
        let logits = file!.bytes(of: "logits")!
        let result = try Matrix.placing(byteCount: logits.count, at: logits.baseAddress!, sharedFileMapping: true, forward).result
        let produced = result.tensors.map { TensorInfo(name: $0.name, dtype: .f32, shape: $0.shape) }
        if Set(produced.map(\.name)) == Set(layout.map(\.name)), produced.allSatisfy({ info in layout.contains { $0 == info } }) {
            for tensor in result.tensors {
                let target = file!.bytes(of: tensor.name)!
                if UnsafeRawPointer(tensor.storage.data) != UnsafeRawPointer(target.baseAddress!) {
                    target.copyMemory(from: tensor.bytes)
                }
            }
            try file!.commit()
            return result
        }
        file = nil  // removes the temporary file
        let entries = result.tensors.map { tensor in
            SafetensorsWriter.Entry(info: TensorInfo(name: tensor.name, dtype: .f32, shape: tensor.shape)) { sink in
                try sink.write(tensor.bytes)
            }
        }
        try SafetensorsWriter.write(entries, to: path, overwrite: overwrite)
        return result
    }

    /// An integer tensor of the inputs file, as Int64.
    static func integers(_ source: any TensorSource, _ name: String, file: String, required: Bool) throws -> (values: [Int64], shape: [Int])? {
        guard source.info(named: name) != nil else {
            if required { throw CheckpointError(.notFound, file: file, tensor: name, "the inputs file needs `\(name)`") }
            return nil
        }
        let data = try source.tensor(named: name)
        guard let values = data.int64s() else {
            throw CheckpointError(.unsupported, file: file, tensor: name, "expected an integer tensor, found \(data.info.dtype.rawValue)")
        }
        return (values, data.info.shape)
    }
}
