import CheckpointIO
import Foundation
import Testing
import TestSupport
@testable import LSGVerification

/// The output checks run the original from the converted file's pages for the tensors check 2 found
/// bit-identical (issue 14): only those may be shared, and they must hold the original's bytes.
@Suite struct SharedTensorSourceTests {
    @Test func identicalCopiesAreSharedWithTheOriginalsBytes() throws {
        let subject = try VerificationSubject(convertedPath: Fixtures.path("verify/tiny-lsg-1024"), againstPath: nil)
        _ = try Verifier.verify(subject, options: VerificationOptions())
        #expect(subject.identicalCopies.count == 41)
        let shared = SharedTensorSource(subject.originalWeights, converted: subject.convertedWeights, shared: subject.identicalCopies)
        #expect(shared.tensorInfos.map(\.name) == subject.originalWeights.tensorInfos.map(\.name))
        for info in subject.originalWeights.tensorInfos {
            let original = try subject.originalWeights.tensor(named: info.name)
            let served = try shared.tensor(named: info.name)
            #expect(served.info.name == info.name)
            #expect(served.info.shape == info.shape)
            #expect(Array(served.bytes) == Array(original.bytes), "\(info.name)")
            if let convertedName = subject.identicalCopies[info.name] {
                // Served from the converted mapping, not the original's.
                let converted = try subject.convertedWeights.tensor(named: convertedName)
                #expect(served.bytes.baseAddress == converted.bytes.baseAddress)
            } else {
                #expect(info.name.contains("position_embeddings"), "\(info.name) should have been shared")
            }
        }
    }

    @Test func damagedTensorsAreNotShared() throws {
        let copy = try ConvertedCopy(VerifierTests.mlm)
        try copy.editTensors { tensors in
            for i in tensors.indices where tensors[i].name == "roberta.encoder.layer.1.output.dense.weight" {
                tensors[i].values[5] += 1
            }
        }
        let subject = try VerificationSubject(convertedPath: copy.path, againstPath: nil)
        let report = try Verifier.verify(subject, options: VerificationOptions())
        #expect(report.result(.copiedWeights)?.status == .failed)
        #expect(subject.identicalCopies.count == 40)
        #expect(!subject.identicalCopies.values.contains("roberta.encoder.layer.1.output.dense.weight"))
    }
}
