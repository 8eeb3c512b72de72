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

    /// The tables themselves, also for walks of every order at start-up: a loop over each
    /// table's `values` that reads a few fields is compiled to those reads, where iterating
    /// `values` below, or calling a closure per order, copies each order out (a retain and
    /// a release of each of its references: a fifth of a snapshot load's time).
    public private(set) var tables: [[UInt64: Order]]

    public init() {
        tables = Array(repeating: [:], count: Self.segmentCount)
    }

    /// The id's millisecond, modulo the table count: order ids are a clock and a counter, so
    /// the orders of one millisecond share a table, which is then warm in the cache for the
    /// next of them, and a shard's orders of the last 256 ms are spread over every table.
    /// (A hash of the whole id sent each order to a table at random: a cache miss on its
    /// header per order.)
    @inline(__always)
    static func segment(of id: UInt64) -> Int {
        Int(truncatingIfNeeded: (id >> UInt64(IDGenerator.counterBits)) & UInt64(segmentCount - 1))
    }

    public var count: Int { tables.reduce(0) { $0 + $1.count } }

    public var isEmpty: Bool { tables.allSatisfy(\.isEmpty) }

    public subscript(id: UInt64) -> Order? {
        get { tables[Self.segment(of: id)][id] }
        set {
            let segment = Self.segment(of: id)
            if newValue == nil {
                tables[segment].removeValue(forKey: id)
            } else {
                tables[segment][id] = newValue
            }
        }
    }

    /// Stores `order` under `id`. Returns the order it replaced, if any.
    @discardableResult @inline(__always)
    public mutating func updateValue(_ order: consuming Order, forKey id: UInt64) -> Order? {
        // `consuming`: the order moves into its table; borrowed, it was copied there.
        tables[Self.segment(of: id)].updateValue(order, forKey: id)
    }

    /// In no particular order.
    public var values: FlattenSequence<[Dictionary<UInt64, Order>.Values]> { tables.map { $0.values }.joined() }

    /// In no particular order.
    public var keys: FlattenSequence<[Dictionary<UInt64, Order>.Keys]> { tables.map { $0.keys }.joined() }

    /// Room for `minimumCapacity` orders in all, without growing (short of an
    /// unlucky spread: each table gets the mean and four standard deviations).
    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        guard minimumCapacity > 0 else { return }
        let mean = minimumCapacity / Self.segmentCount
        let perSegment = mean + 4 * Int(Double(mean).squareRoot()) + 4
        for index in tables.indices where tables[index].capacity < perSegment {
            tables[index].reserveCapacity(perSegment)
        }
    }
}
