/// Why a model could not be loaded, planned or prepared.
///
/// Every error names what was wrong and where: a byte offset in the file, or the subgraph,
/// operator and tensor concerned, so a biomedical engineer can tell a corrupt download from a
/// model that uses an operator Vigil does not support.
public struct ModelError: Error, Equatable, CustomStringConvertible {
  /// The category of failure.
  public enum Kind: Equatable, Sendable {
    /// The file ends before a structure it declares (truncated download or corrupt offset).
    case truncated
    /// The file is not a TFLite flatbuffer (identifier is not `TFL3`).
    case notTFLite
    /// The TFLite schema version is not 3.
    case unsupportedSchemaVersion
    /// A flatbuffer structure is malformed (bad offset, vtable, vector length).
    case malformed
    /// A field the runtime needs is absent.
    case missingField
    /// A tensor index points outside the subgraph's tensor list.
    case tensorIndexOutOfRange
    /// A tensor's shape is invalid (negative, zero-sized where not allowed, too large).
    case invalidShape
    /// A tensor's element type is not supported where it is used.
    case unsupportedTensorType
    /// Quantization parameters are missing or invalid (scale not positive, zero point out of range).
    case invalidQuantization
    /// A constant tensor's buffer does not hold the bytes its shape and type need.
    case bufferSizeMismatch
    /// The operator is not one Vigil implements (or is a custom operator).
    case unsupportedOperator
    /// The operator is supported, but not at this version.
    case unsupportedOperatorVersion
    /// The operator's options or operands are outside what Vigil implements or TFLite allows.
    case unsupportedOperatorConfiguration
    /// The model has a shape the runtime does not handle (several subgraphs, several inputs...).
    case unsupportedModelStructure
    /// The arena given is smaller than the plan needs.
    case arenaTooSmall
  }

  /// The category of failure.
  public var kind: Kind
  /// Where the problem is: a file offset or a path such as `subgraph 0, operator 3 (CONV_2D)`.
  public var location: String
  /// What is wrong, in words an engineer can act on.
  public var detail: String

  /// Creates an error.
  public init(_ kind: Kind, at location: String, _ detail: String) {
    self.kind = kind
    self.location = location
    self.detail = detail
  }

  /// `location: detail`.
  public var description: String { location.isEmpty ? detail : location + ": " + detail }
}
