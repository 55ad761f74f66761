import ModelFamilies
import CheckpointIO
import Dispatch
import Foundation
import ModelingFiles

/// Runs a ``ConversionPlan``: computes the generated tensors, streams model.safetensors from the
/// mapped source (one tensor at a time, never the whole model in memory), and writes config.json,
/// the tokenizer files, the family's modeling files (embedded in the binary) and `lsg_conversion.json` into an
/// ``OutputFolder`` that appears only when complete.
public struct LSGConverter {
    public var folder: ModelFolder
    public var source: any TensorSource
    public var options: ConversionOptions
    /// Where the family's modeling files come from: the ones built into the binary (`modeling/*.py`).
    public var modelingFiles: ModelingFileSet = .embedded
    /// An explicit `--modeling-file` written instead of the family's module (same file name); the
    /// siblings it imports still come from ``modelingFiles``.
    public var modelingFileOverride: ModelingFile?
    /// Hugging Face revision of the source, when known (recorded in `lsg_conversion.json`).
    public var sourceRevision: String?
    /// The hub name the source was asked for (`roberta-base`), when it was not given as a path.
    public var sourceName: String?
    /// Hash the source weight files for `lsg_conversion.json` (on a second thread, while writing).
    public var hashSource = true
    /// Polled between tensors; when it returns true the conversion stops and leaves nothing behind.
    public var isInterrupted: @Sendable () -> Bool = { ConversionInterrupt.requested }

    public init(folder: ModelFolder, source: any TensorSource, options: ConversionOptions) {
        self.folder = folder
        self.source = source
        self.options = options
        self.sourceRevision = Provenance.revision(ofSnapshot: folder.url)
    }

    /// Plans the conversion (validating every option).
    public func plan() throws -> ConversionPlan {
        var plan = try ConversionPlanner.plan(folder: folder, source: source, options: options)
        if modelingFileOverride == nil, modelingFiles.file(module: plan.family.modelingModule) == nil {
            plan.warnings.append("\(plan.family.modelingModule).py is not built into this lsg-convert: the folder is written without it (verify check 6 reports it; `lsg-convert upgrade` adds it once built in)")
        }
        return plan
    }

    /// Converts into `destination`. Nothing exists at `destination` unless this returns normally
    /// (an existing folder is replaced only with `force`, and only at the very end).
    /// - Parameter beforeCommit: called with the temporary folder once every file is written, while
    ///   the source hash may still be running on its thread (`convert`'s quick verification runs
    ///   there, so the two overlap: issue 14). Its `lsg_conversion.json` then lacks only the
    ///   `weight_files` hashes, which nothing it checks reads; the file is rewritten with them
    ///   before the folder is committed. The folder is committed whatever it reports.
    public func convert(plan: ConversionPlan, to destination: URL, force: Bool,
                        progress: @escaping (ConversionProgress) -> Void = { _ in },
                        beforeCommit: ((URL) -> Void)? = nil) throws {
        let start = DispatchTime.now()
        // `--force` replaces the destination: never when it is (or contains) the source being read.
        let sourcePath = folder.url.resolvingSymlinksInPath().standardizedFileURL.path
        let destinationPath = destination.resolvingSymlinksInPath().standardizedFileURL.path
        if sourcePath == destinationPath || sourcePath.hasPrefix(destinationPath + "/") {
            throw ConversionError(.outputExists, destination.path, "is the source model folder (or contains it); choose another --output")
        }
        // Before anything is written: the family's module and every sibling it imports. A family
        // whose module is not built in yet (BERT until modeling_lsg_bert.py lands, issue 12 item 5)
        // converts without it; `plan()` warns.
        let modeling: [ModelingFile]
        if modelingFileOverride == nil, modelingFiles.file(module: plan.family.modelingModule) == nil {
            modeling = []
        } else {
            modeling = try modelingFiles.closure(of: plan.family.modelingModule, override: modelingFileOverride)
        }
        let output = try OutputFolder(destination: destination, force: force)
        do {
            // Overflow-safe total (absurd sizes from options or config saturate to Int.max).
            let total = plan.entries.reduce(0) { sum, entry in
                guard let count = TensorInfo.checkedElementCount(entry.info.shape) else { return Int.max }
                let bytes = count.multipliedReportingOverflow(by: entry.info.dtype.byteSize)
                let next = sum.addingReportingOverflow(bytes.partialValue)
                return bytes.overflow || next.overflow ? Int.max : next.partialValue
            }
            try output.ensureSpace(for: total)
            try write(plan: plan, modeling: modeling, into: output, progress: progress, beforeCommit: beforeCommit)
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        progress(.finished(seconds: Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9))
    }

    private func checkInterrupt() throws {
        if isInterrupted() {
            throw ConversionError(.interrupted, nil, "interrupted; no output was written")
        }
    }

    private func write(plan: ConversionPlan, modeling: [ModelingFile], into output: OutputFolder,
                       progress: @escaping (ConversionProgress) -> Void, beforeCommit: ((URL) -> Void)?) throws {
        // Hash the source on another thread while the weights are written (I/O bound, 2 cores).
        let weightURLs = try folder.weightFiles()
        let hashes = HashResults()
        let group = DispatchGroup()
        if hashSource {
            progress(.hashingSource)
            DispatchQueue.global().async(group: group) {
                for url in weightURLs {
                    let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
                    let digest = (try? Provenance.sha256(of: url)) ?? "unreadable"
                    hashes.append((url.lastPathComponent, size, digest))
                }
            }
        }
        defer { group.wait() }

        let globals = try globalTable(plan: plan, progress: progress)
        var entries: [SafetensorsWriter.Entry] = []
        for entry in plan.entries { entries.append(try writerEntry(entry, plan: plan, globals: globals)) }
        progress(.writingWeights(total: entries.count, totalBytes: plan.outputByteCount))
        try SafetensorsWriter.write(entries, to: output.url("model.safetensors").path) { done, bytes in
            progress(.wroteTensor(done: done, bytes: bytes))
        }

        try writeText(plan.config.sortedKeys().serialized(indent: 2, asciiOnly: true) + "\n", to: output.url("config.json"))
        progress(.wroteFile("config.json"))
        if plan.family.head(plan.head)?.canGenerate == true {
            try writeText(LSGConfigBuilder.generationConfig(plan.config).serialized(indent: 2, asciiOnly: true) + "\n",
                          to: output.url("generation_config.json"))
            progress(.wroteFile("generation_config.json"))
        }
        try copyTokenizerFiles(into: output, progress: progress)
        if let sentence = plan.sentenceTransformers { try copySentenceTransformersFiles(sentence, into: output, progress: progress) }
        for file in modeling {
            do {
                try file.bytes.write(to: output.url(file.name))
            } catch {
                throw ConversionError(.outputFailed, output.url(file.name).path, "cannot write: \(OutputFolder.reason(error))")
            }
            progress(.wroteFile(file.name))
        }
        try checkInterrupt()
        func writeProvenance(_ weightFiles: [(name: String, bytes: Int, sha256: String)]) throws {
            let record = Provenance.record(plan: plan, options: options, sourcePath: folder.url.standardizedFileURL.path,
                                           sourceName: sourceName, sourceRevision: sourceRevision,
                                           weightFiles: weightFiles, modelingFiles: modeling,
                                           modelingFileOverridden: modelingFileOverride != nil)
            try writeText(record.serialized(indent: 2, asciiOnly: false) + "\n", to: output.url(Provenance.fileName))
        }
        if let beforeCommit {
            try writeProvenance([])
            beforeCommit(output.temporary)
            try checkInterrupt()
        }
        group.wait()
        try writeProvenance(hashes.values)
        progress(.wroteFile(Provenance.fileName))
    }

    // MARK: - Tensors

    /// The global table in Float32 (512 x D), or `nil` when it is copied (`--resize-lsg`).
    func globalTable(plan: ConversionPlan, progress: (ConversionProgress) -> Void) throws -> [Float]? {
        guard let entry = plan.entries.first(where: { if case .generatedGlobals = $0.rule { true } else { false } }),
              case let .generatedGlobals(initializer) = entry.rule else { return nil }
        progress(.computingGlobals)
        let D = entry.info.shape[1]
        let prefix = plan.family.backbonePrefix(plan.head)
        guard let positionEntry = plan.entry(named: prefix + "embeddings.position_embeddings.weight"),
              let positionName = positionEntry.rule.sourceName,
              let wordName = plan.entry(named: prefix + "embeddings.word_embeddings.weight")?.rule.sourceName
        else { throw ConversionError(.invalidSource, nil, "the plan has no position or word embeddings") }
        let positionData = try source.tensor(named: positionName)
        let table = positionData.floats()
        let body = Array(table[(plan.family.positionOffset * D)...])
        var random = SeededGaussian(seed: options.seed, stream: "global_embeddings/position-rows")
        let stride: Int
        switch initializer {
        case let .deterministic(_, _, s, _), let .random(_, s, _): stride = s
        }
        let ordered = try GlobalEmbeddings.orderedPositions(body, hidden: D, stride: stride, random: &random)
        let word = try source.tensor(named: wordName)
        func wordRow(_ i: Int) -> [Float] {
            let size = word.info.dtype.byteSize
            let raw = UnsafeRawBufferPointer(rebasing: word.bytes[(i * D * size)..<((i + 1) * D * size)])
            var row = [Float](repeating: 0, count: D)
            row.withUnsafeMutableBufferPointer { TensorBytes.decode(raw, word.info.dtype, into: $0, count: D) }
            return row
        }
        // BERT's conversion adds token_type_embeddings[0] to the global rows (use_token_ids=True).
        var tokenType: [Float]?
        if plan.family.globalsAddTokenType {
            guard let typeName = plan.entry(named: prefix + "embeddings.token_type_embeddings.weight")?.rule.sourceName else {
                throw ConversionError(.invalidSource, nil, "the plan has no token type embeddings")
            }
            tokenType = Array(try source.tensor(named: typeName).floats().prefix(D))
        }
        var result: [Float]
        switch initializer {
        case let .deterministic(bos, mask, _, _):
            result = GlobalEmbeddings.deterministic(ordered: ordered, hidden: D, bosRow: wordRow(bos), maskRow: wordRow(mask),
                                                    tokenType: tokenType)
        case let .random(bos, _, _):
            var draws = SeededGaussian(seed: options.seed, stream: "global_embeddings/multivariate-normal")
            // update_global_randomly (BERT): `positions += tt[0]` and `w[0] = u[bos] + tt[0]`, then
            // `w + positions`: row 0 gets the token-type row twice. Reproduced as the reference does it.
            var bosRow = wordRow(bos)
            var positions = ordered
            if let tokenType {
                for c in 0..<D { bosRow[c] += tokenType[c] }
                for j in 0..<GlobalEmbeddings.rows { for c in 0..<D { positions[j * D + c] += tokenType[c] } }
            }
            result = try GlobalEmbeddings.random(ordered: positions, hidden: D, vocabulary: word.info.shape[0],
                                                 bosRow: bosRow, wordRow: wordRow, random: &draws)
            TensorBytes.releasePages(of: word)
        }
        // The source's own name (its prefix may differ from the target's).
        if initializer.keepFirstRow, let existing = source.info(named: plan.family.backbonePrefix + "embeddings.global_embeddings.weight")
            ?? source.info(named: "embeddings.global_embeddings.weight") {
            // §5d keep_first: row 0 stays the source's.
            let old = try source.tensor(named: existing.name).floats()
            for c in 0..<D { result[c] = old[c] }
        }
        return result
    }

    private func writerEntry(_ entry: ConversionPlan.Entry, plan: ConversionPlan, globals: [Float]?) throws -> SafetensorsWriter.Entry {
        let info = entry.info
        let source = self.source
        switch entry.rule {
        case let .copied(from), let .renamed(from):
            return SafetensorsWriter.Entry(info: info) { sink in
                try checkInterrupt()
                let data = try source.tensor(named: from)
                if data.info.dtype == info.dtype, let file = data.owner as? MappedFile {
                    // Unchanged bytes of a mapped source file: copied file to file by the kernel.
                    try sink.copy(data.bytes, from: file)
                    return
                }
                try TensorBytes.write(data, as: info.dtype) { try sink.write($0) }
                TensorBytes.releasePages(of: data)
            }
        case let .extendedPositions(from, _):
            let offset = plan.family.positionOffset
            return SafetensorsWriter.Entry(info: info) { sink in
                try checkInterrupt()
                let data = try source.tensor(named: from)
                let rowBytes = info.shape[1] * info.dtype.byteSize
                if data.info.dtype == info.dtype {
                    try PositionEmbeddings.tile(data.bytes, rowBytes: rowBytes, outputRows: info.shape[0], offset: offset) { try sink.write($0) }
                } else {
                    let converted = TensorBytes.encoded(data.floats(), as: info.dtype)
                    try converted.withUnsafeBytes { table in
                        try PositionEmbeddings.tile(table, rowBytes: rowBytes, outputRows: info.shape[0], offset: offset) { try sink.write($0) }
                    }
                }
                TensorBytes.releasePages(of: data)
            }
        case .generatedGlobals:
            guard let globals else { throw ConversionError(.invalidSource, info.name, "global table not computed") }
            let bytes = TensorBytes.encoded(globals, as: info.dtype)
            return SafetensorsWriter.Entry(info: info) { sink in
                try bytes.withUnsafeBytes { try sink.write($0) }
            }
        case let .newTensor(initializer, std):
            let seed = options.seed
            return SafetensorsWriter.Entry(info: info) { sink in
                try checkInterrupt()
                let values: [Float]
                switch initializer {
                case .zeros: values = [Float](repeating: 0, count: info.elementCount)
                case .ones: values = [Float](repeating: 1, count: info.elementCount)
                case .normal:
                    var random = SeededGaussian(seed: seed, stream: info.name)
                    values = (0..<info.elementCount).map { _ in Float(std * random.next()) }
                }
                try TensorBytes.encoded(values, as: info.dtype).withUnsafeBytes { try sink.write($0) }
            }
        }
    }

    // MARK: - Side files

    /// Copies the tokenizer files as real files (a cache snapshot holds symlinks into `blobs/`) and
    /// sets `model_max_length` = max-len in tokenizer_config.json (reference §6).
    private func copyTokenizerFiles(into output: OutputFolder, progress: (ConversionProgress) -> Void) throws {
        var wroteConfig = false
        for url in folder.tokenizerFiles {
            let name = url.lastPathComponent
            if name == "tokenizer_config.json" {
                var config = try ModelFolder.readJSON(url)
                config.set("model_max_length", .int(Int64(options.maxLength)))
                // tokenizer.save_pretrained writes json.dumps(indent=2, sort_keys=True, ensure_ascii=False).
                try writeText(config.sortedKeys().serialized(indent: 2, asciiOnly: false) + "\n", to: output.url(name))
                wroteConfig = true
            } else {
                try copyResolved(url, to: output.url(name))
            }
            progress(.wroteFile(name))
        }
        if !wroteConfig {
            let config = JSONValue.object([("model_max_length", .int(Int64(options.maxLength)))])
            try writeText(config.serialized(indent: 2, asciiOnly: false) + "\n", to: output.url("tokenizer_config.json"))
            progress(.wroteFile("tokenizer_config.json"))
        }
    }

    /// Copies a sentence-transformers export's own files and module folders (the reference drops
    /// them), with `sentence_bert_config.json`'s `max_seq_length` = max-len.
    private func copySentenceTransformersFiles(_ files: SentenceTransformersFiles, into output: OutputFolder,
                                               progress: (ConversionProgress) -> Void) throws {
        for name in files.files {
            let url = folder.url.appendingPathComponent(name)
            if name == "sentence_bert_config.json" {
                let text: String
                do {
                    text = try SentenceTransformersFiles.updatedSentenceConfig(url, maxLength: options.maxLength)
                } catch {
                    throw ConversionError(.invalidSource, url.path, "unreadable sentence_bert_config.json: \(error)")
                }
                try writeText(text, to: output.url(name))
            } else {
                try copyResolved(url, to: output.url(name))
            }
            progress(.wroteFile(name))
        }
        for path in files.moduleFolders {
            try copyFolder(folder.url.appendingPathComponent(path), to: output.url(path))
            progress(.wroteFile(path + "/"))
        }
    }

    /// Copies a folder's regular files (symlinks resolved) and subfolders.
    private func copyFolder(_ source: URL, to target: URL) throws {
        do {
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() {
                let item = source.appendingPathComponent(name).resolvingSymlinksInPath()
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: item.path, isDirectory: &isDirectory) else { continue }
                if isDirectory.boolValue {
                    try copyFolder(item, to: target.appendingPathComponent(name))
                } else {
                    try copyResolved(item, to: target.appendingPathComponent(name))
                }
            }
        } catch let error as ConversionError {
            throw error
        } catch {
            throw ConversionError(.outputFailed, target.path, "cannot copy \(source.path): \(OutputFolder.reason(error))")
        }
    }

    private func copyResolved(_ url: URL, to target: URL) throws {
        do {
            let data = try Data(contentsOf: url.resolvingSymlinksInPath())
            try data.write(to: target)
        } catch {
            throw ConversionError(.outputFailed, target.path, "cannot copy \(url.path): \(OutputFolder.reason(error))")
        }
    }

    private func writeText(_ text: String, to url: URL) throws {
        do {
            try Data(text.utf8).write(to: url)
        } catch {
            throw ConversionError(.outputFailed, url.path, "cannot write: \(OutputFolder.reason(error))")
        }
    }
}

/// Results of the background hashing thread.
private final class HashResults: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [(name: String, bytes: Int, sha256: String)] = []
    func append(_ item: (String, Int, String)) { lock.lock(); items.append(item); lock.unlock() }
    var values: [(name: String, bytes: Int, sha256: String)] { lock.lock(); defer { lock.unlock() }; return items }
}
