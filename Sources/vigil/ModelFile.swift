import Foundation
import VigilInference

/// A .tflite file read into a 16-byte-aligned buffer that lives as long as this object, so the
/// model's constant tensors can be used in place.
final class ModelFile {
  /// The file's bytes.
  let bytes: UnsafeRawBufferPointer
  /// The path it was read from.
  let path: String

  /// Reads `path`; throws a message naming the file and the system's reason.
  init(path: String) throws(CLIError) {
    self.path = path
    let data: Data
    do {
      data = try Data(contentsOf: URL(fileURLWithPath: path))
    } catch {
      throw CLIError("cannot read model '\(path)': \(Self.reason(error))")
    }
    let buffer = UnsafeMutableRawBufferPointer.allocate(
      byteCount: max(data.count, 1), alignment: 16)
    _ = data.copyBytes(to: buffer)
    bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<data.count])
  }

  deinit { bytes.deallocate() }

  /// Verifies the model, turning a ``ModelError`` into a message that names the file.
  func model() throws(CLIError) -> Model {
    do {
      return try Model(bytes: bytes)
    } catch {
      throw CLIError("'\(path)' is not a usable model: \(error)")
    }
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
