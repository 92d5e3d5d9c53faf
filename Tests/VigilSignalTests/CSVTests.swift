import Testing
import VigilCore
import VigilSignal

/// Reading sample CSVs and writing the analysis CSV.
struct CSVTests {
  func read(_ text: String) throws(PPGCSVError) -> PPGRecording {
    try PPGCSVReader.read(Array(text.utf8))
  }

  @Test func readsInfraredAndRedByHeaderNameInAnyOrder() throws {
    let r = try read("time,Red, IR \n0,10,20\n0.01,11,21\n")
    #expect(r.ir == [20, 21])
    #expect(r.red == [10, 11])
  }

  @Test func aSingleChannelFileHasNoRed() throws {
    let r = try read("ir\n1.5\n-2e3\n")
    #expect(r.ir == [1.5, -2000])
    #expect(r.red == nil)
  }

  @Test func acceptsAByteOrderMarkCRLFAndATrailingBlankLine() throws {
    let r = try PPGCSVReader.read(
      [0xEF, 0xBB, 0xBF] + Array("\"ir\",\"red\"\r\n1,2\r\n3,4\r\n\r\n".utf8))
    #expect(r.ir == [1, 3] && r.red == [2, 4])
  }

  @Test func aHeaderWithoutIRIsRefusedNamingWhatItHas() {
    #expect(throws: PPGCSVError.missingChannel(.ir, header: ["time", "red"])) {
      try read("time,red\n0,1\n")
    }
  }

  @Test func anEmptyFileIsRefused() {
    #expect(throws: PPGCSVError.empty) { try read("") }
  }

  @Test func aNonNumericCellIsReportedWithLineAndColumn() {
    #expect(throws: PPGCSVError.notANumber(line: 3, column: 2, name: "ir", text: "12a")) {
      try read("time,ir\n0,1\n0.01,12a\n")
    }
    #expect(throws: PPGCSVError.notANumber(line: 2, column: 1, name: "ir", text: "nan")) {
      try read("ir\nnan\n")
    }
    #expect(throws: PPGCSVError.notANumber(line: 2, column: 1, name: "ir", text: "")) {
      try read("ir,red\n,4\n")
    }
  }

  @Test func aLineWithTheWrongNumberOfCellsIsRefused() {
    #expect(throws: PPGCSVError.wrongCellCount(line: 3, expected: 2, found: 1)) {
      try read("ir,red\n1,2\n3\n")
    }
  }

  @Test func errorsDescribeThemselvesForTheOperator() {
    let e = PPGCSVError.notANumber(line: 7, column: 2, name: "red", text: "x")
    #expect("\(e)" == "line 7, column 2 (red): 'x' is not a finite number")
  }

  @Test func theAnalysisHeaderIsExactlyAsSpecified() {
    #expect(AnalysisCSV.header == "time_s,hr_bpm,spo2_pct,perfusion_index,quality,rr_bpm")
  }

  @Test func missingValuesAreWrittenAsEmptyFields() {
    var e = WindowEstimate(status: .lowQuality, quality: 0.314)
    #expect(AnalysisCSV.row(time: 40, e) == "40,,,,0.31,")
    e.heartRate = BeatsPerMinute(72.04)
    e.spo2 = Percent(97.25)
    e.perfusionIndex = Percent(1.234)
    e.respiratoryRate = BreathsPerMinute(15.96)
    e.quality = 0.996
    #expect(AnalysisCSV.row(time: 32.5, e) == "32.5,72.0,97.3,1.23,1.00,16.0")
  }

  @Test func fixedPointFormattingRoundsHalfAwayFromZero() {
    #expect(AnalysisCSV.fixed(0.125, decimals: 2) == "0.13")
    #expect(AnalysisCSV.fixed(-1.05, decimals: 1) == "-1.1")
    #expect(AnalysisCSV.fixed(-0.001, decimals: 1) == "0.0")
    #expect(AnalysisCSV.fixed(3, decimals: 0) == "3")
    #expect(AnalysisCSV.trimmed(8.000, decimals: 3) == "8")
  }

  @Test func windowsEndEveryStepFromTheFirstFullWindow() throws {
    let ppg = SyntheticPPG(sampleRate: 50, duration: 60)
    let (ir, _) = ppg.channels()
    var analyzer = PPGAnalyzer()
    var times: [Double] = []
    try PPGRecording(ir: ir).analyzeWindows(
      sampleRate: 50, window: 32, step: 8, analyzer: &analyzer
    ) { time, _ in times.append(time) }
    #expect(times == [32, 40, 48, 56])
  }

  @Test func aRecordingShorterThanAWindowGivesNoRows() throws {
    var analyzer = PPGAnalyzer()
    var rows = 0
    try PPGRecording(ir: [Double](repeating: 0, count: 100)).analyzeWindows(
      sampleRate: 50, window: 32, step: 8, analyzer: &analyzer
    ) { _, _ in rows += 1 }
    #expect(rows == 0)
  }
}
