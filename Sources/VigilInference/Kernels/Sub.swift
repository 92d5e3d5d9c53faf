/// SUB for int8 operands with broadcasting (any rank up to 8) and a fused activation.
///
/// Arithmetic: TFLM `sub_common.cc` (`CalculateOpDataSub`) and `reference_ops::SubElementwise`
/// / `BroadcastQuantSubSlow`: exactly ADD's fixed-point path with the second scaled input
/// subtracted, so it runs on ``AddKernel`` with the second scaled input negated (the int32
/// result is the same value).
///
/// The multipliers are computed in double precision, as for ADD. The `sub_common.cc` in the
/// current tflite-micro sources divides the scales in *float* instead; the TFLM build Vigil is
/// verified against (pip `tflite-micro` 0.dev20261023182759) does not: the fixtures
/// `sub_{input1,input2,output}_multiplier_precision` use scales where float and double give
/// different multipliers for one operand each and different outputs, and TFLM's goldens match
/// double every time.
///
/// Versions (`lite/tools/versioning/op_version.cc`): float32 1, int8 2, and 3 when the inputs
/// have different shapes and one has more than 4 dimensions; 4 (int64) and 5 (int16) are not
/// implemented.
enum SubKernel {
  static func prepare(_ context: inout PrepareContext) throws(ModelError) -> AddKernel {
    let operands = try BinaryOperands(context, optionsType: 28, optionsName: "SubOptions")
    return try AddKernel(operands: operands, subtract: true, context)
  }
}
