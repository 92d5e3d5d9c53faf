/// A first-in, first-out buffer whose capacity is fixed when it is created.
///
/// Storage is allocated once; `append` never allocates, and when the buffer is full it
/// overwrites the oldest element and counts the overwrite, so an overflow is never silent.
public struct RingBuffer<Element> {
  private var storage: [Element?]
  private var head = 0
  /// The number of elements held.
  public private(set) var count = 0
  /// How many elements were overwritten because the buffer was full.
  public private(set) var overwrittenCount = 0

  /// Creates an empty buffer that holds at most `capacity` elements (at least one).
  public init(capacity: Int) {
    storage = [Element?](repeating: nil, count: max(1, capacity))
  }

  /// The maximum number of elements the buffer holds.
  public var capacity: Int { storage.count }

  /// Whether the buffer holds no elements.
  public var isEmpty: Bool { count == 0 }

  /// Whether the buffer is at capacity.
  public var isFull: Bool { count == storage.count }

  /// Appends `element`; when full, drops the oldest element and counts it in
  /// ``overwrittenCount``.
  public mutating func append(_ element: Element) {
    let tail = (head + count) % storage.count
    storage[tail] = element
    if count == storage.count {
      head = (head + 1) % storage.count
      overwrittenCount += 1
    } else {
      count += 1
    }
  }

  /// Removes and returns the oldest element, or `nil` when empty.
  public mutating func popFirst() -> Element? {
    guard count > 0 else { return nil }
    let element = storage[head]
    storage[head] = nil
    head = (head + 1) % storage.count
    count -= 1
    return element
  }

  /// The element `index` places after the oldest (0 is the oldest).
  public subscript(index: Int) -> Element {
    precondition(index >= 0 && index < count, "RingBuffer index out of range")
    return storage[(head + index) % storage.count]!
  }

  /// Removes every element; the overwrite count is kept.
  public mutating func removeAll() {
    for i in 0..<storage.count { storage[i] = nil }
    head = 0
    count = 0
  }
}
