// swift-tools-version: 6.0
import PackageDescription
import Foundation

// MARK: - CPU target for the numeric kernels
//
// The runtime's GEMM and elementwise kernels are written with SIMD types; on the default x86-64
// target `addProduct` becomes a libm `fmaf` call per lane (measured ~300x slower, see
// ../shared/docs/design.md). We compile LSGRuntime for the build host's vector ISA, read from
// /proc/cpuinfo, with `LSG_TARGET_CPU` as an override (`LSG_TARGET_CPU=generic` for a portable build).
func hostTargetCPU() -> String? {
    if let forced = ProcessInfo.processInfo.environment["LSG_TARGET_CPU"] {
        return forced == "generic" ? nil : forced
    }
    #if arch(x86_64)
    guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
    else { return nil }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return "skylake-avx512" }
    if flags.isSuperset(of: ["avx2", "fma"]) { return "haswell" }
    return nil
    #else
    return nil
    #endif
}

let kernelSettings: [SwiftSetting] = hostTargetCPU().map { [.unsafeFlags(["-target-cpu", $0])] } ?? []

let package = Package(
    name: "lsg-convert",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "lsg-convert", targets: ["lsg-convert"]),
        .library(name: "CheckpointIO", targets: ["CheckpointIO"]),
        .library(name: "ModelFamilies", targets: ["ModelFamilies"]),
        .library(name: "LSGConversion", targets: ["LSGConversion"]),
        .library(name: "LSGRuntime", targets: ["LSGRuntime"]),
        .library(name: "Tokenization", targets: ["Tokenization"]),
        .library(name: "HubCache", targets: ["HubCache"]),
        .library(name: "LSGVerification", targets: ["LSGVerification"]),
        .library(name: "ModelingFiles", targets: ["ModelingFiles"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - Libraries
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        /// Bytes <-> tensors: safetensors, PyTorch zip, legacy torch.save, sharded folders. No model semantics.
        .target(name: "CheckpointIO", dependencies: ["CZlib", "CFileRangeCopy"]),
        /// In-kernel copy of a file range (copy_file_range): tensors copied unchanged from a source file.
        .target(name: "CFileRangeCopy"),
        /// The one table of model families and heads (class names, weight names, position offset,
        /// config defaults, modeling module) that conversion, runtime, verify and the CLI consult.
        .target(name: "ModelFamilies", dependencies: ["CheckpointIO"]),
        /// The project's Python modeling files (`modeling/*.py`), embedded at build time by the
        /// EmbedModelingFiles plugin: `modeling/` is their only copy, and a copied binary still writes them.
        .target(name: "ModelingFiles", plugins: ["EmbedModelingFiles"]),
        .executableTarget(name: "ModelingEmbedder"),
        .plugin(name: "EmbedModelingFiles", capability: .buildTool(), dependencies: ["ModelingEmbedder"]),
        /// Encoder -> LSG conversion: rules, position/global embeddings, config, output folder.
        .target(name: "LSGConversion", dependencies: ["CheckpointIO", "ModelFamilies", "CSHA256", "CFolderExchange", "ModelingFiles"]),
        /// SHA-256 block function with the x86 SHA extensions (provenance hashes of large sources).
        .target(name: "CSHA256"),
        /// Atomic exchange of two folders (renameat2 RENAME_EXCHANGE): `--force` / `upgrade --in-place` swaps.
        .target(name: "CFolderExchange"),
        /// Float32 CPU runtime for RoBERTa and LSG-RoBERTa.
        .target(name: "LSGRuntime", dependencies: ["CheckpointIO", "ModelFamilies"], swiftSettings: kernelSettings),
        /// RoBERTa byte-level BPE, BERT WordPiece and XLM-R/CamemBERT SentencePiece Unigram tokenizers (ids identical to Hugging Face tokenizers);
        /// CheckpointIO's JSON parser reads vocabularies with their exact key strings.
        .target(name: "Tokenization", dependencies: ["CheckpointIO"]),
        /// Hugging Face cache resolution (offline) and hub downloads into the cache layout.
        .target(name: "HubCache"),
        /// `lsg-convert verify`: checks a converted model against its original.
        .target(name: "LSGVerification", dependencies: ["CheckpointIO", "ModelFamilies", "Tokenization", "LSGRuntime", "ModelingFiles"]),
        // MARK: - Command line
        .executableTarget(
            name: "lsg-convert",
            dependencies: [
                "CheckpointIO", "ModelFamilies", "LSGConversion", "LSGRuntime",
                "Tokenization", "HubCache", "LSGVerification",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        /// Benchmark: GEMM GFLOP/s and LSG forward times on a roberta-base-shaped random model.
        .executableTarget(name: "lsg-bench", dependencies: ["LSGRuntime", "CheckpointIO", "Tokenization"], swiftSettings: kernelSettings),
        // MARK: - Tests
        .target(name: "TestSupport", dependencies: ["CheckpointIO"], path: "Tests/TestSupport"),
        .testTarget(name: "CheckpointIOTests", dependencies: ["CheckpointIO", "TestSupport"]),
        .testTarget(name: "ModelFamiliesTests", dependencies: ["ModelFamilies", "CheckpointIO", "TestSupport"]),
        .testTarget(name: "LSGConversionTests", dependencies: ["LSGConversion", "ModelFamilies", "CheckpointIO", "ModelingFiles", "TestSupport"]),
        .testTarget(name: "LSGRuntimeTests", dependencies: ["LSGRuntime", "ModelFamilies", "CheckpointIO", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport"]),
        .testTarget(name: "TokenizationTests", dependencies: ["Tokenization", "TestSupport"]),
        .testTarget(name: "HubCacheTests", dependencies: ["HubCache", "TestSupport"]),
        .testTarget(name: "FillMaskTests", dependencies: ["LSGRuntime", "LSGConversion", "Tokenization", "CheckpointIO", "TestSupport"]),
        .testTarget(name: "ModelingFilesTests", dependencies: ["ModelingFiles", "TestSupport"]),
        .testTarget(name: "LSGVerificationTests", dependencies: ["LSGVerification", "ModelFamilies", "CheckpointIO", "ModelingFiles", "TestSupport"]),
    ]
)
