/// Heart or pulse rate in beats per minute.
public struct BeatsPerMinute: Hashable, Comparable, Sendable {
  /// The rate in beats per minute.
  public var value: Double
  /// Creates a rate of `value` beats per minute.
  public init(_ value: Double) { self.value = value }
  /// Orders rates.
  public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// Respiratory rate in breaths per minute.
public struct BreathsPerMinute: Hashable, Comparable, Sendable {
  /// The rate in breaths per minute.
  public var value: Double
  /// Creates a rate of `value` breaths per minute.
  public init(_ value: Double) { self.value = value }
  /// Orders rates.
  public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// A percentage, such as peripheral oxygen saturation (SpO2) or perfusion index.
public struct Percent: Hashable, Comparable, Sendable {
  /// The value in percent (0-100 for a saturation).
  public var value: Double
  /// Creates a percentage.
  public init(_ value: Double) { self.value = value }
  /// Orders percentages.
  public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// A temperature in degrees Celsius.
public struct Celsius: Hashable, Comparable, Sendable {
  /// The temperature in °C.
  public var value: Double
  /// Creates a temperature of `value` °C.
  public init(_ value: Double) { self.value = value }
  /// Orders temperatures.
  public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}

/// A pressure in millimetres of mercury, as blood pressure is charted.
public struct MillimetersOfMercury: Hashable, Comparable, Sendable {
  /// The pressure in mmHg.
  public var value: Double
  /// Creates a pressure of `value` mmHg.
  public init(_ value: Double) { self.value = value }
  /// Orders pressures.
  public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
}
