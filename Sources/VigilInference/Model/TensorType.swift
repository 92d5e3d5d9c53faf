/// A tensor element type, numbered as TFLite's schema numbers `TensorType`.
public struct TensorType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The schema's numeric value.
  public var rawValue: Int8
  /// Creates a type from its schema value.
  public init(rawValue: Int8) { self.rawValue = rawValue }

  /// 32-bit IEEE float.
  public static let float32 = TensorType(rawValue: 0)
  /// 32-bit signed integer (biases, shape operands).
  public static let int32 = TensorType(rawValue: 2)
  /// 64-bit signed integer.
  public static let int64 = TensorType(rawValue: 4)
  /// 16-bit signed integer.
  public static let int16 = TensorType(rawValue: 7)
  /// 8-bit signed integer: Vigil's quantized activations and weights.
  public static let int8 = TensorType(rawValue: 9)

  /// Bytes per element, or `nil` for types Vigil does not lay out (strings, 4-bit, resources).
  public var byteSize: Int? {
    switch rawValue {
    case 0, 2, 15: return 4  // float32, int32, uint32
    case 1, 7, 16, 18: return 2  // float16, int16, uint16, bfloat16
    case 3, 6, 9: return 1  // uint8, bool, int8
    case 4, 10, 8, 12: return 8  // int64, float64, complex64, uint64
    case 11: return 16  // complex128
    default: return nil
    }
  }

  /// The schema's name, such as `INT8`.
  public var description: String {
    let names = [
      "FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64",
      "INT8",
      "FLOAT64", "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4",
      "BFLOAT16",
      "INT2", "UINT4",
    ]
    return rawValue >= 0 && Int(rawValue) < names.count ? names[Int(rawValue)] : "type \(rawValue)"
  }
}
