import Foundation
import VigilCore
import VigilInference

/// A .tflite file read into a 16-byte-aligned buffer that lives as long as this object, so the
/// model's constant tensors can be used in place.
final class ModelFile {
  /// The file's bytes, which belong to this object alone (the interpreter may rearrange weight
  /// tensors in them; see `Model(exclusiveBytes:)`).
  private let bytes: UnsafeMutableRawBufferPointer
  private var verified: Model?
  /// The path it was read from.
  let path: String
  /// The file's SHA-256 as read, in lower-case hex.
  let sha256: String

  /// Reads `path`; throws a message naming the file and the system's reason.
  init(path: String) throws(CLIError) {
    self.path = path
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw CLIError("cannot read model '\(path)': \(Self.reason(error))")
    }
    sha256 = SHA256.hexDigest(data)
    let buffer = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(data.count, 1), alignment: 16)
    _ = data.copyBytes(to: buffer)
    bytes = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<data.count])
  }

  deinit { bytes.deallocate() }

  /// Verifies the model once (later calls return the same model), turning a ``ModelError``
  /// into a message that names the file.
  func model() throws(CLIError) -> Model {
    if let verified { return verified }
    do {
      let model = try Model(exclusiveBytes: bytes)
      verified = model
      return model
    } catch {
      throw CLIError("'\(path)' is not a usable model: \(error)")
    }
  }

  /// Verifies the model afresh, for measuring what loading allocates; only for a file whose
  /// ``model()`` has not been used.
  func loadForMeasurement() throws(ModelError) -> Model {
    try Model(exclusiveBytes: bytes)
  }

  static func reason(_ error: Error) -> String {
    if let cocoa = error as? CocoaError,
      let underlying = cocoa.userInfo[NSUnderlyingErrorKey] as? NSError
    {
      return String(cString: strerror(Int32(underlying.code)))
    }
    return error.localizedDescription
  }
}

/// An error the CLI reports as one line on standard error, exiting with status 1.
struct CLIError: Error, CustomStringConvertible {
  /// The message.
  let description: String
  /// Creates an error with `message`.
  init(_ message: String) { description = message }
}
