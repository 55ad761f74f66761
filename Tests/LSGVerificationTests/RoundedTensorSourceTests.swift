import CheckpointIO
import Testing
import TestSupport
@testable import LSGVerification

@Suite struct RoundedTensorSourceTests {
    /// Rounding the F32 tiny model gives, byte for byte, what torch's cast wrote
    /// (fixtures/safetensors/tiny-{f32,bf16,f16}.safetensors, make_tiny_models.py).
    @Test(arguments: [("tiny-bf16", DType.bf16), ("tiny-f16", DType.f16)])
    func matchesTorchCast(_ fixture: String, _ dtype: DType) throws {
        let f32 = try SafetensorsFile(path: Fixtures.path("safetensors/tiny-f32.safetensors"))
        let cast = try SafetensorsFile(path: Fixtures.path("safetensors/\(fixture).safetensors"))
        let rounded = RoundedTensorSource(f32, roundedTo: dtype)
        #expect(rounded.tensorInfos.count == f32.tensorInfos.count)
        for info in cast.tensorInfos {
            let ours = try rounded.tensor(named: info.name)
            #expect(ours.info == info)
            #expect(Array(ours.bytes) == Array(try cast.tensor(named: info.name).bytes), "\(info.name)")
        }
    }
}
