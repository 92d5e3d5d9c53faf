/// The TFLite builtin operators Vigil implements, with their schema codes.
public enum BuiltinOperator: Int32, CaseIterable, Sendable {
  /// Element-wise addition with broadcasting.
  case add = 0
  /// 2-D average pooling.
  case averagePool2D = 1
  /// Concatenation along an axis.
  case concatenation = 2
  /// 2-D convolution.
  case conv2D = 3
  /// Depthwise 2-D convolution.
  case depthwiseConv2D = 4
  /// int8 to float32.
  case dequantize = 6
  /// Dense layer.
  case fullyConnected = 9
  /// Sigmoid.
  case logistic = 14
  /// 2-D max pooling.
  case maxPool2D = 17
  /// Element-wise multiplication with broadcasting.
  case mul = 18
  /// max(x, 0).
  case relu = 19
  /// min(max(x, 0), 6).
  case relu6 = 21
  /// Shape change without data movement.
  case reshape = 22
  /// Softmax over the last axis.
  case softmax = 25
  /// Hyperbolic tangent.
  case tanh = 28
  /// Constant padding.
  case pad = 34
  /// Axis permutation.
  case transpose = 39
  /// Mean over axes.
  case mean = 40
  /// Element-wise subtraction with broadcasting.
  case sub = 41
  /// Removal of size-1 axes.
  case squeeze = 43
  /// Strided slicing.
  case stridedSlice = 45
  /// Insertion of a size-1 axis.
  case expandDims = 70
  /// Maximum over axes.
  case reduceMax = 82
  /// Leaky ReLU.
  case leakyRelu = 98
  /// float32 to int8, or int8 requantization.
  case quantize = 114

  /// The highest operator version Vigil implements: the versions TFLite's converter assigns to
  /// the int8/float32 forms of each operator (`lite/tools/versioning/op_version.cc`). Later
  /// versions add types (int16, int4) or semantics Vigil does not implement.
  public var maximumVersion: Int32 {
    switch self {
    case .add: return 5
    case .averagePool2D, .maxPool2D: return 2
    case .concatenation: return 2
    case .conv2D: return 6
    case .depthwiseConv2D: return 3
    case .dequantize: return 5
    case .fullyConnected: return 11
    case .logistic, .tanh: return 3
    case .mul: return 7
    case .relu: return 3
    case .relu6: return 2
    case .reshape: return 1
    case .softmax: return 3
    case .pad: return 4
    case .transpose: return 4
    case .mean: return 2
    case .sub: return 5
    case .squeeze: return 1
    case .stridedSlice: return 2
    case .expandDims: return 1
    case .reduceMax: return 2
    case .leakyRelu: return 2
    case .quantize: return 3
    }
  }

  /// The schema's name, such as `CONV_2D`.
  public var name: String { BuiltinOperator.schemaName(code: rawValue) }

  /// The schema's name for any builtin code, so an unsupported operator is named in errors.
  public static func schemaName(code: Int32) -> String {
    switch code {
    case 0: return "ADD"
    case 1: return "AVERAGE_POOL_2D"
    case 2: return "CONCATENATION"
    case 3: return "CONV_2D"
    case 4: return "DEPTHWISE_CONV_2D"
    case 5: return "DEPTH_TO_SPACE"
    case 6: return "DEQUANTIZE"
    case 7: return "EMBEDDING_LOOKUP"
    case 8: return "FLOOR"
    case 9: return "FULLY_CONNECTED"
    case 14: return "LOGISTIC"
    case 16: return "LSTM"
    case 17: return "MAX_POOL_2D"
    case 18: return "MUL"
    case 19: return "RELU"
    case 20: return "RELU_N1_TO_1"
    case 21: return "RELU6"
    case 22: return "RESHAPE"
    case 23: return "RESIZE_BILINEAR"
    case 24: return "RNN"
    case 25: return "SOFTMAX"
    case 28: return "TANH"
    case 32: return "CUSTOM"
    case 34: return "PAD"
    case 36: return "GATHER"
    case 37: return "BATCH_TO_SPACE_ND"
    case 38: return "SPACE_TO_BATCH_ND"
    case 39: return "TRANSPOSE"
    case 40: return "MEAN"
    case 41: return "SUB"
    case 42: return "DIV"
    case 43: return "SQUEEZE"
    case 44: return "UNIDIRECTIONAL_SEQUENCE_LSTM"
    case 45: return "STRIDED_SLICE"
    case 47: return "EXP"
    case 49: return "SPLIT"
    case 50: return "LOG_SOFTMAX"
    case 53: return "CAST"
    case 54: return "PRELU"
    case 55: return "MAXIMUM"
    case 56: return "ARG_MAX"
    case 57: return "MINIMUM"
    case 60: return "PADV2"
    case 65: return "SLICE"
    case 67: return "TRANSPOSE_CONV"
    case 70: return "EXPAND_DIMS"
    case 74: return "SUM"
    case 82: return "REDUCE_MAX"
    case 83: return "PACK"
    case 88: return "UNPACK"
    case 89: return "REDUCE_MIN"
    case 97: return "RESIZE_NEAREST_NEIGHBOR"
    case 98: return "LEAKY_RELU"
    case 114: return "QUANTIZE"
    case 117: return "HARD_SWISH"
    case 126: return "BATCH_MATMUL"
    case 150: return "GELU"
    default: return "builtin \(code)"
    }
  }
}
