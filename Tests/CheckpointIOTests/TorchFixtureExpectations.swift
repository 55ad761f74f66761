import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// What the real torch reported for each fixture tensor (`fixtures/torch/expected.json`, written by
/// `fixtures/make_torch_fixtures.py`).
struct ExpectedTorchTensor: Decodable {
    /// A JSON number kept exact: integers (int64 values, bool counts) as Int64, others as Double.
    enum Number: Decodable {
        case integer(Int64)
        case real(Double)

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let integer = try? container.decode(Int64.self) {
                self = .integer(integer)
            } else {
                self = .real(try container.decode(Double.self))
            }
        }

        var double: Double {
            switch self {
            case .integer(let i): Double(i)
            case .real(let d): d
            }
        }

        var int64: Int64? {
            if case .integer(let i) = self { return i }
            return nil
        }
    }

    var name: String
    var dtype: DType
    var shape: [Int]
    var storage_offset: Int
    /// Tensors with the same group share one storage.
    var storage_group: Int
    /// [flat index, value] pairs.
    var samples: [[Number]]
    var sum: Number
}

enum TorchFixtures {
    private struct ExpectedFile: Decodable {
        var pwned_marker: String
        var files: [String: [ExpectedTorchTensor]]
    }

    static func path(_ name: String) -> String { Fixtures.path("torch/\(name)") }

    private static let expectedFile: ExpectedFile = {
        let data = try! Data(contentsOf: Fixtures.url("torch/expected.json"))
        return try! JSONDecoder().decode(ExpectedFile.self, from: data)
    }()

    /// The file the hostile `os.system` fixture would create if anything ran it.
    static var pwnedMarker: String { expectedFile.pwned_marker }

    static func expected(_ file: String) throws -> [ExpectedTorchTensor] {
        try #require(expectedFile.files[file], "no expectations for \(file)")
    }

    /// Checks names (in order), dtypes, shapes, storage offsets, storage sharing, sampled values and
    /// sums of `source` against what torch recorded for `fixture`.
    static func check(_ source: any TensorSource, references: [TorchTensorReference], against fixture: String) throws {
        let expected = try expected(fixture)
        #expect(source.tensorInfos.map(\.name) == expected.map(\.name))
        #expect(references.map(\.info) == source.tensorInfos)
        var keyOfGroup: [Int: String] = [:]
        var groupOfKey: [String: Int] = [:]
        for (tensor, reference) in zip(expected, references) {
            let name = tensor.name
            #expect(reference.info.dtype == tensor.dtype, "\(name)")
            #expect(reference.info.shape == tensor.shape, "\(name)")
            #expect(reference.storageOffset == tensor.storage_offset, "\(name)")
            // Same storage in torch <=> same storage key here.
            #expect(keyOfGroup[tensor.storage_group, default: reference.storageKey] == reference.storageKey, "\(name)")
            #expect(groupOfKey[reference.storageKey, default: tensor.storage_group] == tensor.storage_group, "\(name)")
            keyOfGroup[tensor.storage_group] = reference.storageKey
            groupOfKey[reference.storageKey] = tensor.storage_group

            let data = try source.tensor(named: name)
            #expect(data.info == reference.info)
            if tensor.dtype.isFloatingPoint {
                let values = doubles(data)
                for sample in tensor.samples {
                    let index = try #require(sample[0].int64).asInt
                    #expect(values[index] == sample[1].double, "\(name)[\(index)]")
                }
                let sum = values.reduce(0, +)
                #expect(abs(sum - tensor.sum.double) <= 1e-9 * max(1, abs(tensor.sum.double)), "\(name) sum")
            } else {
                let values = try #require(data.int64s())
                for sample in tensor.samples {
                    let index = try #require(sample[0].int64).asInt
                    #expect(values[index] == sample[1].int64, "\(name)[\(index)]")
                }
                #expect(values.reduce(0, &+) == tensor.sum.int64, "\(name) sum")
            }
        }
    }

    /// Float tensors as Double, exactly (F64 read as stored, the others widened).
    static func doubles(_ data: TensorData) -> [Double] {
        if data.info.dtype == .f64 {
            return (0..<data.info.elementCount).map { data.bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Double.self) }
        }
        return data.floats().map(Double.init)
    }
}

private extension Int64 {
    var asInt: Int { Int(self) }
}
