/// A user shard's orders by id, held in 256 small dictionaries picked by a hash
/// of the id.
///
/// One dictionary per shard grew by doubling. Each growth of a table of tens of
/// thousands of orders copied it into freshly mapped pages: 11 % of the CPU of
/// `mall bench engine`, mostly the kernel zeroing pages, and a stall of
/// milliseconds for the shard's buyers. A small table grows a little at a time,
/// into memory `malloc` reuses. Lookups cost one more multiply.
///
/// Which table holds an order depends on its id alone, so two tables with the
/// same orders are equal table by table.
public struct OrderTable: Sendable, Equatable {
    static let segmentBits = 8
    static let segmentCount = 1 << segmentBits

    private var segments: [[UInt64: Order]]

    public init() {
        segments = Array(repeating: [:], count: Self.segmentCount)
    }

    /// Fibonacci hashing: order ids are a clock and a counter, so their low bits alone would not spread.
    @inline(__always)
    static func segment(of id: UInt64) -> Int {
        Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> UInt64(64 - segmentBits))
    }

    public var count: Int { segments.reduce(0) { $0 + $1.count } }

    public var isEmpty: Bool { segments.allSatisfy(\.isEmpty) }

    public subscript(id: UInt64) -> Order? {
        get { segments[Self.segment(of: id)][id] }
        set {
            if let newValue {
                segments[Self.segment(of: id)].updateValue(newValue, forKey: id)
            } else {
                segments[Self.segment(of: id)].removeValue(forKey: id)
            }
        }
    }

    /// Stores `order` under `id`. Returns the order it replaced, if any.
    @discardableResult
    public mutating func updateValue(_ order: Order, forKey id: UInt64) -> Order? {
        segments[Self.segment(of: id)].updateValue(order, forKey: id)
    }

    /// In no particular order.
    public var values: some Sequence<Order> { segments.lazy.flatMap(\.values) }

    /// In no particular order.
    public var keys: some Sequence<UInt64> { segments.lazy.flatMap(\.keys) }

    /// Room for `minimumCapacity` orders in all, without growing (short of an
    /// unlucky spread: each table gets the mean and four standard deviations).
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        guard minimumCapacity > 0 else { return }
        let mean = minimumCapacity / Self.segmentCount
        let perSegment = mean + 4 * Int(Double(mean).squareRoot()) + 4
        for index in segments.indices where segments[index].capacity < perSegment {
            segments[index].reserveCapacity(perSegment)
        }
    }
}
