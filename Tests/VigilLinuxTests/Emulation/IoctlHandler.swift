import CUMockdev
import Foundation

/// One ioctl a program under test made on an emulated device node.
///
/// The handler runs in the same process as the code under test (on umockdev's worker thread,
/// while the calling thread waits inside `ioctl`), so the argument is a real pointer into the
/// caller's memory: handlers read and write the kernel structures through it directly, as
/// libusb's own umockdev tests do.
struct IoctlCall {
  /// The device node, as `/dev/i2c-3`.
  let devnode: String
  /// The ioctl request number.
  let request: UInt
  /// The argument: a pointer value, or a number passed by value (`I2C_SLAVE`).
  let argument: UInt
  /// Identifies the open file the call came from (one umockdev client per `open`).
  let client: UInt

  /// The argument as a pointer into the caller's memory.
  var pointer: UnsafeMutableRawPointer? { UnsafeMutableRawPointer(bitPattern: argument) }
}

/// What an emulated device answers to an ioctl.
enum IoctlReply {
  /// Success with this return value.
  case success(Int)
  /// Failure with this errno.
  case failure(Int32)
}

/// An emulated device node's behaviour: answers the ioctls made on it.
protocol EmulatedDeviceNode: AnyObject {
  /// Answers one ioctl.
  func handle(_ call: IoctlCall) -> IoctlReply
}

/// A `UMockdevIoctlBase` whose `handle-ioctl` signal is answered by an
/// ``EmulatedDeviceNode``.
final class IoctlHandler: @unchecked Sendable {
  /// The GObject umockdev calls.
  let base: UnsafeMutablePointer<UMockdevIoctlBase>
  /// The emulated device.
  let node: EmulatedDeviceNode
  private let lock = NSLock()

  /// Creates a handler answering with `node`.
  init(_ node: EmulatedDeviceNode) {
    self.node = node
    base = umockdev_ioctl_base_new()
    let context = Unmanaged.passUnretained(self).toOpaque()
    g_signal_connect_data(
      UnsafeMutableRawPointer(base), "handle-ioctl",
      unsafeBitCast(ioctlTrampoline, to: GCallback.self), context, nil, GConnectFlags(0))
  }

  fileprivate func dispatch(_ client: UnsafeMutablePointer<UMockdevIoctlClient>) {
    let arg = umockdev_ioctl_client_get_arg(client)!
    // The argument arrives as one machine word in `data` (see umockdev-ioctl.vala).
    let argument = UnsafeRawPointer(arg.pointee.data).loadUnaligned(as: UInt.self)
    let call = IoctlCall(
      devnode: String(cString: umockdev_ioctl_client_get_devnode(client)),
      request: UInt(umockdev_ioctl_client_get_request(client)), argument: argument,
      client: UInt(bitPattern: client))
    lock.lock()
    let reply = node.handle(call)
    lock.unlock()
    switch reply {
    case .success(let value): umockdev_ioctl_client_complete(client, value, 0)
    case .failure(let code): umockdev_ioctl_client_complete(client, -1, code)
    }
  }
}

/// The `handle-ioctl` signal handler: `gboolean (*)(UMockdevIoctlBase*, UMockdevIoctlClient*,
/// gpointer)`.
private let ioctlTrampoline:
  @convention(c) (
    UnsafeMutablePointer<UMockdevIoctlBase>?, UnsafeMutablePointer<UMockdevIoctlClient>?,
    gpointer?
  ) -> gboolean = { _, client, context in
    guard let client, let context else { return 0 }
    Unmanaged<IoctlHandler>.fromOpaque(context).takeUnretainedValue().dispatch(client)
    return 1
  }
