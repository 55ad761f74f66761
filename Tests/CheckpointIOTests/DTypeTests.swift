import Testing
@testable import CheckpointIO

@Suite struct DTypeTests {
    @Test func bfloat16RoundsToNearestEven() {
        // 1 + 2^-8 lies exactly between two bf16 values (1 and 1 + 2^-7): ties go to the even one (1).
        #expect(HalfPrecision.bfloat16(from: 1 + 0x1p-8) == 0x3F80)
        // 1 + 3*2^-8 lies between 1+2^-7 (odd mantissa) and 1+2^-6: ties to even -> 1+2^-6.
        #expect(HalfPrecision.bfloat16(from: 1 + 3 * 0x1p-8) == 0x3F82)
        #expect(HalfPrecision.bfloat16(from: .nan) == 0x7FC0)
        #expect(HalfPrecision.float(fromBFloat16: 0x4049) == 3.140625)
    }

    @Test func storageClassNamesRoundTrip() {
        for dtype in DType.allCases {
            #expect(DType(torchStorageClass: dtype.torchStorageClass) == dtype)
            #expect(DType(safetensorsName: dtype.safetensorsName) == dtype)
        }
        #expect(DType(torchStorageClass: "QInt8Storage") == nil)
    }

    @Test func elementCountOverflowIsDetected() {
        #expect(TensorInfo.checkedElementCount([1 << 40, 1 << 40]) == nil)
        #expect(TensorInfo.checkedElementCount([-1, 3]) == nil)
        #expect(TensorInfo.checkedElementCount([]) == 1)
        #expect(TensorInfo.checkedElementCount([3, 0]) == 0)
    }
}
