import Testing
import VigilInference

/// The highest versions Vigil accepts for the element-wise operators: those TFLite's converter
/// assigns to their int8 and float32 forms (`tensorflow/lite/tools/versioning/op_version.cc`).
@Suite struct ElementwiseVersionTests {
  @Test func maximumVersionsAreThoseTFLiteAssignsToTheInt8Forms() {
    #expect(BuiltinOperator.add.maximumVersion == 2)  // 3+: int16, int64
    #expect(BuiltinOperator.sub.maximumVersion == 3)  // 3: >4-D broadcast; 4+: int64, int16
    #expect(BuiltinOperator.mul.maximumVersion == 3)  // 3: rescale >= 1; 4+: int16 and wider
    #expect(BuiltinOperator.quantize.maximumVersion == 1)  // 2: int16 out, 3: per-channel
    #expect(BuiltinOperator.dequantize.maximumVersion == 2)  // 3: int16/float16, 5: per-channel
    #expect(BuiltinOperator.logistic.maximumVersion == 2)  // 3: int16
    #expect(BuiltinOperator.tanh.maximumVersion == 2)  // 3: int16
    #expect(BuiltinOperator.softmax.maximumVersion == 2)  // 3: int16
    #expect(BuiltinOperator.relu.maximumVersion == 2)  // 3: int16
    #expect(BuiltinOperator.relu6.maximumVersion == 2)  // 3: int16
    #expect(BuiltinOperator.leakyRelu.maximumVersion == 1)  // 2: int16
  }
}
