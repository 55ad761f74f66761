import Foundation
import Testing
import TestSupport
@testable import CheckpointIO

/// Every damaged file ends in a `CheckpointError` naming the file, never a crash or a huge allocation.
@Suite struct SafetensorsCorruptionTests {
    static let original = try! Data(contentsOf: Fixtures.url("safetensors/tiny-f32.safetensors"))

    func open(_ bytes: Data) -> CheckpointError? {
        let dir = try! TemporaryDirectory("corrupt")
        let path = dir.url("x.safetensors").path
        try! bytes.write(to: URL(fileURLWithPath: path))
        do {
            _ = try SafetensorsFile(path: path)
            return nil
        } catch let error as CheckpointError {
            #expect(error.file == path)
            return error
        } catch {
            Issue.record("unexpected error type \(error)")
            return nil
        }
    }

    /// A file with `header` as its JSON header and `dataCount` zero bytes of data.
    func file(header: String, dataCount: Int = 0, declaredLength: UInt64? = nil) -> Data {
        var data = Data()
        withUnsafeBytes(of: (declaredLength ?? UInt64(header.utf8.count)).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(count: dataCount))
        return data
    }

    @Test func truncationAtManyOffsetsIsAlwaysAnError() {
        let n = Self.original.count
        var offsets = Set((0..<60).map { $0 * n / 60 })
        offsets.formUnion([0, 1, 7, 8, 9, 100, n - 1])
        for offset in offsets.sorted() where offset < n {
            let error = open(Self.original.prefix(offset))
            #expect(error != nil, "truncated at \(offset)")
        }
    }

    @Test(arguments: [UInt64(0), 7, 1 << 40, 1 << 63, UInt64.max])
    func absurdHeaderLengthsAreRejected(_ length: UInt64) {
        var bytes = Self.original
        withUnsafeBytes(of: length.littleEndian) { bytes.replaceSubrange(0..<8, with: $0) }
        #expect(open(bytes) != nil)
    }

    @Test func overlappingOffsetsAreRejected() {
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#
        #expect(open(file(header: header, dataCount: 12))?.kind == .malformed)
    }

    @Test func holesAndTrailingBytesAreRejected() {
        let hole = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(open(file(header: hole, dataCount: 8))?.kind == .malformed)
        let trailing = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#
        #expect(open(file(header: trailing, dataCount: 9))?.kind == .malformed)
        #expect(open(file(header: trailing, dataCount: 4)) == nil)
    }

    @Test func offsetsBeyondTheFileAreTruncation() {
        let header = #"{"a":{"dtype":"F32","shape":[1000000],"data_offsets":[0,4000000]}}"#
        #expect(open(file(header: header, dataCount: 16))?.kind == .truncated)
    }

    @Test func shapeNotMatchingOffsetsIsRejected() {
        let header = #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#
        #expect(open(file(header: header, dataCount: 8))?.kind == .malformed)
    }

    @Test func overflowingShapeIsRejected() {
        let header = #"{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,8]}}"#
        #expect(open(file(header: header, dataCount: 8))?.kind == .malformed)
        let negative = #"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#
        #expect(open(file(header: negative, dataCount: 8))?.kind == .malformed)
        let huge = #"{"a":{"dtype":"F32","shape":[1e30],"data_offsets":[0,8]}}"#
        #expect(open(file(header: huge, dataCount: 8))?.kind == .malformed)
    }

    @Test func unknownDtypeIsUnsupported() {
        let header = #"{"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}}"#
        #expect(open(file(header: header, dataCount: 1))?.kind == .unsupported)
    }

    @Test func malformedHeadersAreRejected() {
        for header in [#"[1,2]"#, #"{"a":1"#, #"{"a":{"dtype":"F32"}}"#, "{\"a\":\u{1}}", #"{"__metadata__":{"k":1}}"#,
                       #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}"#] {
            #expect(open(file(header: header))?.kind == .malformed, "\(header)")
        }
        var invalidUTF8 = file(header: #"{"a":{}}"#)
        invalidUTF8[10] = 0xFF
        #expect(open(invalidUTF8)?.kind == .malformed)
    }

    @Test func bitFlipsInTheHeaderNeverCrash() {
        let headerLength = Int(Self.original.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var bytes = Self.original
            let position = Int.random(in: 0..<(8 + headerLength), using: &generator)
            bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &generator))
            _ = open(bytes)  // either a valid file (a flip inside a float digit) or a clean error
        }
    }
}
