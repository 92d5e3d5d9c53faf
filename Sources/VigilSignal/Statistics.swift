/// Small descriptive statistics over windows of samples.
enum Statistics {
  /// The arithmetic mean, or 0 for an empty collection.
  static func mean<C: Collection>(_ values: C) -> Double where C.Element == Double {
    guard !values.isEmpty else { return 0 }
    var sum = 0.0
    for v in values { sum += v }
    return sum / Double(values.count)
  }

  /// The population standard deviation, or 0 for fewer than two values.
  static func standardDeviation<C: Collection>(_ values: C) -> Double where C.Element == Double {
    guard values.count > 1 else { return 0 }
    let m = mean(values)
    var sum = 0.0
    for v in values { sum += (v - m) * (v - m) }
    return (sum / Double(values.count)).squareRoot()
  }

  /// The median (mean of the middle two for an even count), or `nil` when empty.
  /// Sorts `values` in place.
  static func median(sorting values: inout [Double]) -> Double? {
    guard !values.isEmpty else { return nil }
    values.sort()
    let mid = values.count / 2
    return values.count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2
  }

  /// The `p`-quantile (0...1) by linear interpolation between order statistics, or `nil` when
  /// empty. Sorts `values` in place.
  static func quantile(sorting values: inout [Double], _ p: Double) -> Double? {
    values.sort()
    return quantile(sorted: values, p)
  }

  /// The `p`-quantile (0...1) of already sorted `values`, or `nil` when empty.
  static func quantile(sorted values: [Double], _ p: Double) -> Double? {
    guard !values.isEmpty else { return nil }
    let position = min(max(p, 0), 1) * Double(values.count - 1)
    let lower = Int(position)
    let upper = min(lower + 1, values.count - 1)
    let fraction = position - Double(lower)
    return values[lower] + (values[upper] - values[lower]) * fraction
  }

  /// Pearson's correlation of two equally long sequences, or 0 when either does not vary.
  static func correlation(_ x: ArraySlice<Double>, _ y: ArraySlice<Double>) -> Double {
    let n = min(x.count, y.count)
    guard n > 1 else { return 0 }
    var sx = 0.0
    var sy = 0.0
    var xi = x.startIndex
    var yi = y.startIndex
    for _ in 0..<n {
      sx += x[xi]
      sy += y[yi]
      xi += 1
      yi += 1
    }
    let mx = sx / Double(n)
    let my = sy / Double(n)
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    xi = x.startIndex
    yi = y.startIndex
    for _ in 0..<n {
      let dx = x[xi] - mx
      let dy = y[yi] - my
      sxy += dx * dy
      sxx += dx * dx
      syy += dy * dy
      xi += 1
      yi += 1
    }
    guard sxx > 0, syy > 0 else { return 0 }
    return sxy / (sxx * syy).squareRoot()
  }
}
