import CheckpointIO
import Foundation
import ModelingFiles
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `lsg_conversion.json`, written beside the converted weights: what was converted, how, and the
/// identity of the source weights (sha256), for the verify command and for humans.
public enum Provenance {
    public static let fileName = "lsg_conversion.json"
    public static let toolVersion = "0.1.0"

    /// sha256 of a weight file. A file that lives in the Hugging Face cache as a symlink to
    /// `blobs/<sha256>` (LFS files are stored under their content's sha256) is not re-read.
    public static func sha256(of url: URL) throws -> String {
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: url.path) {
            let name = URL(fileURLWithPath: target).lastPathComponent
            if target.contains("blobs/"), name.count == 64, name.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) { return name }
        }
        // Hashed from a memory map, chunk by chunk, each chunk's pages given back once hashed
        // (``MappedPages``): no copy into a buffer (read(2) cost ~20 % more CPU on top of the
        // hash, issue 14), and at most one chunk of it counts in the process's resident memory.
        let file = try MappedFile(path: url.path)
        var hash = SHA256()
        MappedPages.forEachChunk(file.bytes, owner: file) { piece, _ in
            hash.update(piece)
            return true
        }
        return hash.finalizeHex()
    }

    /// The record, as a JSON object.
    /// - Parameter sourceName: the hub name MODEL was given as (nil for a folder path).
    public static func record(plan: ConversionPlan, options: ConversionOptions, sourcePath: String, sourceName: String? = nil,
                              sourceRevision: String?, weightFiles: [(name: String, bytes: Int, sha256: String)],
                              modelingFiles: [ModelingFile] = [], modelingFileOverridden: Bool = false) -> JSONValue {
        func opt<T>(_ value: T?, _ make: (T) -> JSONValue) -> JSONValue { value.map(make) ?? .null }
        let optionsObject: JSONValue = .object([
            ("max_len", .int(Int64(options.maxLength))),
            ("architecture", .string(plan.targetClass)),
            ("global_positional_stride", .int(Int64(options.globalPositionalStride))),
            ("random_global_init", .bool(options.randomGlobalInit)),
            ("keep_first_global_token", .bool(options.keepFirstGlobalToken)),
            ("resize_lsg", .bool(options.resizeLSG)),
            ("dtype", .string(options.outputDType.rawValue)),
            ("seed", .int(Int64(bitPattern: options.seed))),
            // Every config key the user chose: the LSG flags given explicitly, then `--set` (the
            // verify command allows these keys to differ from the source's config).
            ("set", .object(explicitSettings(options))),
        ])
        let lsgKeys = ["adaptive", "block_size", "lsh_num_pre_rounds", "mask_first_token", "num_global_tokens",
                       "pool_with_global", "sparse_block_size", "sparsity_factor", "sparsity_type"]
        return .object([
            ("tool", .string("lsg-convert")),
            ("tool_version", .string(toolVersion)),
            ("reference", .string("lsg-converter 0.1.9 (transformers 4.36)")),
            ("source", .object([
                ("path", .string(sourcePath)),
                ("name", opt(sourceName) { .string($0) }),
                ("revision", opt(sourceRevision) { .string($0) }),
                ("format", .string(plan.sourceFormat.rawValue)),
                ("architecture", opt(plan.sourceArchitecture) { .string($0) }),
                ("is_lsg", .bool(plan.sourceIsLSG)),
                // Empty when hashing was skipped (--no-source-hash).
                ("weights", .array(weightFiles.map { .object([("file", .string($0.name)), ("bytes", .int(Int64($0.bytes))), ("sha256", .string($0.sha256))]) })),
            ])),
            ("options", optionsObject),
            ("lsg_config", .object(lsgKeys.map { ($0, plan.config[$0] ?? .null) })),
            ("special_tokens", .object([("bos", opt(plan.specialTokens.bos) { .int(Int64($0)) }), ("mask", opt(plan.specialTokens.mask) { .int(Int64($0)) })])),
            ("tensors", .object(plan.entries.map { ($0.info.name, .string($0.rule.label)) })),
            ("dropped", .array(plan.dropped.map { .string($0.name) })),
            // The modeling files written beside the weights (ours, from the binary, unless --modeling-file).
            ("modeling_files", .object(modelingFiles.map { file in
                (file.name, .string(file.bytes.withUnsafeBytes { SHA256.hex($0) }))
            })),
            ("modeling_file_override", .bool(modelingFileOverridden)),
        ])
    }

    static func explicitSettings(_ options: ConversionOptions) -> [(String, JSONValue)] {
        var pairs: [(String, JSONValue)] = []
        func add(_ key: String, _ value: JSONValue?) { if let value { pairs.append((key, value)) } }
        add("block_size", options.blockSize.map { .int(Int64($0)) })
        add("sparse_block_size", options.sparseBlockSize.map { .int(Int64($0)) })
        add("sparsity_factor", options.sparsityFactor.map { .int(Int64($0)) })
        add("sparsity_type", options.sparsityType.map { .string($0) })
        add("num_global_tokens", options.numGlobalTokens.map { .int(Int64($0)) })
        add("mask_first_token", options.maskFirstToken.map { .bool($0) })
        add("pool_with_global", options.poolWithGlobal.map { .bool($0) })
        add("adaptive", options.adaptive.map { .bool($0) })
        add("lsh_num_pre_rounds", options.lshNumPreRounds.map { .int(Int64($0)) })
        for (key, value) in options.configOverrides {
            pairs.removeAll { $0.0 == key }
            pairs.append((key, value))
        }
        return pairs
    }

    /// The source revision when `folder` is a Hugging Face cache snapshot (`.../snapshots/<rev>`).
    public static func revision(ofSnapshot folder: URL) -> String? {
        let parts = folder.standardizedFileURL.pathComponents
        guard parts.count >= 2, parts[parts.count - 2] == "snapshots" else { return nil }
        return parts.last
    }
}
