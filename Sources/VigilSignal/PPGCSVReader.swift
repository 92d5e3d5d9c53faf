/// Why a PPG CSV file cannot be read. Line and column numbers count from 1, as an editor shows
/// them.
public enum PPGCSVError: Error, Hashable, Sendable {
  /// The file has no header line.
  case empty
  /// The header does not name a required channel; `header` lists the names it has.
  case missingChannel(PPGChannel, header: [String])
  /// The header names a channel more than once.
  case duplicateChannel(PPGChannel)
  /// A data line has a different number of cells from the header.
  case wrongCellCount(line: Int, expected: Int, found: Int)
  /// A cell of a channel column is not a finite decimal number.
  case notANumber(line: Int, column: Int, name: String, text: String)
}

extension PPGCSVError: CustomStringConvertible {
  /// A sentence naming what is wrong and where.
  public var description: String {
    switch self {
    case .empty:
      return "the file is empty: expected a header naming the channels (ir, and red if recorded)"
    case .missingChannel(let channel, let header):
      return
        "the header has no '\(channel.rawValue)' column (it names: \(header.joined(separator: ", ")))"
    case .duplicateChannel(let channel):
      return "the header names the '\(channel.rawValue)' column more than once"
    case .wrongCellCount(let line, let expected, let found):
      return "line \(line): expected \(expected) cells as in the header, found \(found)"
    case .notANumber(let line, let column, let name, let text):
      return "line \(line), column \(column) (\(name)): '\(text)' is not a finite number"
    }
  }
}

/// Reads a CSV of PPG samples whose header names its channels: `ir`, and `red` when there is
/// one (matched without regard to case or surrounding spaces and quotes). Other columns, such as
/// a time stamp, are allowed and ignored. Blank lines are skipped; every other line must have
/// as many cells as the header, and every `ir` and `red` cell must be a finite number.
public enum PPGCSVReader {
  /// Parses the bytes of a CSV file (UTF-8; a byte-order mark and CRLF line ends are accepted).
  public static func read(_ bytes: [UInt8]) throws(PPGCSVError) -> PPGRecording {
    var lines = LineIterator(bytes: bytes)
    guard let headerLine = lines.next() else { throw .empty }
    var headerRange = headerLine.range
    if bytes[headerRange].starts(with: [0xEF, 0xBB, 0xBF]) {
      headerRange = (headerRange.lowerBound + 3)..<headerRange.upperBound
    }
    let names = cells(bytes, headerRange).map { clean(bytes[$0]) }
    if names.count == 1 && names[0].isEmpty { throw .empty }
    let irColumn = try column(of: .ir, in: names)
    let redColumn = try? column(of: .red, in: names)

    var ir: [Double] = []
    var red: [Double] = []
    while let line = lines.next() {
      let ranges = cells(bytes, line.range)
      if ranges.count == 1 && clean(bytes[ranges[0]]).isEmpty { continue }
      guard ranges.count == names.count else {
        throw .wrongCellCount(line: line.number, expected: names.count, found: ranges.count)
      }
      ir.append(try number(bytes, ranges[irColumn], line: line.number, column: irColumn, names))
      if let redColumn {
        red.append(
          try number(bytes, ranges[redColumn], line: line.number, column: redColumn, names))
      }
    }
    return PPGRecording(ir: ir, red: redColumn == nil ? nil : red)
  }

  private static func column(of channel: PPGChannel, in names: [String]) throws(PPGCSVError)
    -> Int
  {
    var found: Int? = nil
    for (i, name) in names.enumerated() where lowercased(name) == channel.rawValue {
      if found != nil { throw .duplicateChannel(channel) }
      found = i
    }
    guard let found else { throw .missingChannel(channel, header: names) }
    return found
  }

  private static func number(
    _ bytes: [UInt8], _ range: Range<Int>, line: Int, column: Int, _ names: [String]
  ) throws(PPGCSVError) -> Double {
    let text = clean(bytes[range])
    guard let value = Double(text), value.isFinite else {
      throw .notANumber(line: line, column: column + 1, name: names[column], text: text)
    }
    return value
  }

  /// The cell ranges of one line, split at commas.
  private static func cells(_ bytes: [UInt8], _ range: Range<Int>) -> [Range<Int>] {
    var result: [Range<Int>] = []
    var start = range.lowerBound
    for i in range where bytes[i] == UInt8(ascii: ",") {
      result.append(start..<i)
      start = i + 1
    }
    result.append(start..<range.upperBound)
    return result
  }

  /// A cell's text without surrounding spaces, tabs or double quotes.
  private static func clean(_ cell: ArraySlice<UInt8>) -> String {
    var lo = cell.startIndex
    var hi = cell.endIndex
    func trimmable(_ b: UInt8) -> Bool {
      b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: "\"")
        || b == UInt8(ascii: "\r")
    }
    while lo < hi && trimmable(cell[lo]) { lo += 1 }
    while hi > lo && trimmable(cell[hi - 1]) { hi -= 1 }
    return String(decoding: cell[lo..<hi], as: UTF8.self)
  }

  private static func lowercased(_ s: String) -> String {
    String(
      decoding: s.utf8.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
  }

  /// Yields each line's byte range (without its line end) and 1-based line number.
  private struct LineIterator {
    let bytes: [UInt8]
    var position = 0
    var number = 0

    mutating func next() -> (range: Range<Int>, number: Int)? {
      guard position < bytes.count else { return nil }
      let start = position
      var end = start
      while end < bytes.count && bytes[end] != UInt8(ascii: "\n") { end += 1 }
      position = end + 1
      number += 1
      return (start..<end, number)
    }
  }
}
