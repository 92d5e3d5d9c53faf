import Testing

@testable import VigilInference

/// TFLM's average-pool rounding, `(a > 0 ? a + d/2 : a − d/2) / d` in C++ (truncating) integer
/// division; Swift's `/` truncates the same way.
private func tflmRoundingDivide(_ a: Int32, _ d: Int32) -> Int32 {
  a > 0 ? (a + d / 2) / d : (a - d / 2) / d
}

@Suite struct RoundingDivisorTests {
  @Test func dividesEveryPossibleWindowSumLikeTFLMForWindowsUpTo64Pixels() {
    var checked = 0
    for d in Int32(1)...64 {
      let divisor = RoundingDivisor(d, maximumMagnitude: 128 * Int64(d))
      for a in (-128 * d)...(128 * d) where divisor.divide(a) != tflmRoundingDivide(a, d) {
        Issue.record("\(a) / \(d): got \(divisor.divide(a)), TFLM \(tflmRoundingDivide(a, d))")
        return
      }
      checked += Int(256 * d + 1)
    }
    #expect(checked == 532_544)
  }

  @Test(arguments: [Int32(99), 255, 1000, 4096, 65_536])
  func dividesLargeWindowSumsLikeTFLM(_ d: Int32) {
    let divisor = RoundingDivisor(d, maximumMagnitude: 128 * Int64(d))
    let limit = 128 * d
    var samples: [Int32] = [-limit, -limit + 1, -1, 0, 1, d / 2, d / 2 + 1, limit - 1, limit]
    for k in Int32(-64)...64 { samples += [k * d - d / 2, k * d - d / 2 - 1, k * d + d / 2] }
    for a in samples where a >= -limit && a <= limit {
      #expect(divisor.divide(a) == tflmRoundingDivide(a, d), "\(a) / \(d)")
    }
  }
}
