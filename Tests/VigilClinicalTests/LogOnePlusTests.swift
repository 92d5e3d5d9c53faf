import Glibc
import Testing
import VigilClinical

/// `logOnePlus` gives the C library's `log1p` bit for bit: the training pipeline computed the
/// model's `log1p(HoursSinceAdmission)` feature with it. The comparison holds where the C library
/// is the training machine's (glibc on x86-64 with FMA); elsewhere the C library itself may differ
/// in the last bit, and only the committed values of the training machine are compared.
@Suite struct LogOnePlusTests {
  /// `log1p` on the training machine (Python's `math.log1p`, glibc 2.36, x86-64 with FMA):
  /// the first five are values where glibc's builds with and without FMA differ.
  static let trainingMachine: [(x: Double, bits: UInt64)] = [
    (-0.23972248636395566, 13_821_980_894_728_524_803),
    (0.2831358323877483, 4_598_150_249_821_640_920),
    (-0.22729825374392532, 13_821_688_888_197_091_235),
    (19.066016880072432, 4_613_935_628_774_975_360),
    (0.421718405441698, 4_600_010_279_391_741_789),
    (58, 4_616_276_917_455_628_665),
    (59, 4_616_295_840_588_575_371),
    (336, 4_618_238_849_256_487_974),
    (1e-10, 4_457_293_557_087_196_819),
    (-0.5, 13_827_790_571_168_217_583),
    (1e300, 4_649_287_341_619_838_901),
  ]

  /// Whether this machine's `log1p` is the training machine's (else the comparisons are skipped).
  static let platformIsTrainingMachine = trainingMachine.allSatisfy {
    log1p($0.x).bitPattern == $0.bits
  }

  @Test func givesTheTrainingMachinesBitsWhereCLibraryBuildsDiffer() {
    for (x, bits) in Self.trainingMachine {
      #expect(logOnePlus(x).bitPattern == bits, "\(x)")
    }
  }

  @Test(.enabled(if: platformIsTrainingMachine))
  func everyWholeNumberOfHoursUpToTwoYearsGivesTheCLibrarysBits() {
    for hours in 0...17_520 {
      let x = Double(hours)
      #expect(logOnePlus(x).bitPattern == log1p(x).bitPattern, "\(hours)")
    }
  }

  @Test(.enabled(if: platformIsTrainingMachine))
  func valuesAcrossEveryBranchGiveTheCLibrarysBits() {
    // A fixed-seed xorshift over magnitudes 2^-60 ... 2^60 of both signs (above -1), which
    // crosses the small-argument, k = 0, normalising and large-argument branches.
    var state: UInt64 = 0x9e37_79b9_7f4a_7c15
    var mismatches = 0
    for _ in 0..<1_000_000 {
      state ^= state << 13
      state ^= state >> 7
      state ^= state << 17
      let exponent = Double(Int(state % 121) - 60)
      let mantissa = 1 + Double(state >> 11) / Double(1 << 53)
      var x = mantissa * pow(2, exponent)
      if state & (1 << 62) != 0 { x = -min(x, 0.999_999) }
      if logOnePlus(x).bitPattern != log1p(x).bitPattern { mismatches += 1 }
    }
    #expect(mismatches == 0)
  }

  @Test func specialValuesFollowTheCLibrary() {
    #expect(logOnePlus(-1) == -.infinity)
    #expect(logOnePlus(-2).isNaN)
    #expect(logOnePlus(.nan).isNaN)
    #expect(logOnePlus(.infinity) == .infinity)
    #expect(logOnePlus(0).bitPattern == 0)
    #expect(logOnePlus(-0.0).bitPattern == (-0.0).bitPattern)
    #expect(logOnePlus(1e-300) == 1e-300)
  }
}
