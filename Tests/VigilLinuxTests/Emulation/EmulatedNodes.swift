extension Testbed {
  /// Adds an i2c-dev node (`/dev/i2c-N`, N unique in this process) whose ioctls `adapter`
  /// answers; returns its path.
  func addI2CAdapter(_ adapter: EmulatedI2CAdapter) throws -> String {
    let number = 20 + uniqueNumber()
    let devnode = "/dev/i2c-\(number)"
    // Attach before the node exists, so no open can reach an unhandled node.
    try attach(IoctlHandler(adapter), to: devnode)
    try addDevices(
      """
      P: /devices/platform/vigil-i2c.\(number)/i2c-\(number)/i2c-dev/i2c-\(number)
      N: i2c-\(number)
      E: SUBSYSTEM=i2c-dev
      E: DEVNAME=\(devnode)
      E: MAJOR=89
      E: MINOR=\(number)
      A: name=Vigil emulated I2C adapter \(number)\\n
      A: dev=89:\(number)\\n

      """)
    return devnode
  }
}
