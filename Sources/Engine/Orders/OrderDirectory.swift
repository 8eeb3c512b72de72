import Dispatch
import Synchronization

/// Which user shard an order id names: an order made now carries its buyer's
/// user shard in the low bits of its id (`IDGenerator.next(routedTo:by:atMs:)`),
/// so neither a purchase nor a lookup by id or order number needs an index.
///
/// With one shard no bit is needed. Over `shardCountMax` shards ids are not
/// routed, and every order goes through `OrderDirectory`'s table.
public struct OrderRoute: Sendable, Equatable {
    public static let shardCountMax = 256
    public let shardCount: Int
    /// The id's bits that name the shard, none when ids are not routed.
    public let mask: UInt64
    public let isRouting: Bool

    public init(shardCount: Int) {
        self.shardCount = shardCount
        isRouting = (1...Self.shardCountMax).contains(shardCount)
        var bits: UInt64 = 0
        while isRouting, 1 << bits < shardCount { bits += 1 }
        mask = (1 << bits) - 1
    }

    /// The first id from `candidate` on whose bits name `shard`, fewer than `mask + 1` ids on.
    /// `candidate` itself when ids are not routed, `shard` is not one, or the id space ends
    /// first: the order directory then records the order.
    func id(atOrAfter candidate: UInt64, naming shard: Int) -> UInt64 {
        guard isRouting, (0..<shardCount).contains(shard) else { return candidate }
        let routed = candidate & ~mask | UInt64(truncatingIfNeeded: shard)
        if routed >= candidate { return routed }
        guard case (let later, false) = routed.addingReportingOverflow(mask + 1) else { return candidate }
        return later
    }

    /// The shard `id` names, nil when ids are not routed or the bits name no shard.
    @inline(__always)
    public func shard(ofOrder id: UInt64) -> Int? {
        guard isRouting else { return nil }
        let shard = Int(truncatingIfNeeded: id & mask)
        return shard < shardCount ? shard : nil
    }
}

/// Which user shard holds an order, for lookups by order id or order number
/// (payment callbacks carry only the order number).
///
/// An order whose id names its shard (`OrderRoute`), as every order made now
/// does, needs no entry. The table holds only the others: orders logged before
/// ids named their shard, or under another shard count, found at start-up; and
/// an order whose id could not be routed. A purchase used to insert its order
/// into a table of every order, under a lock: a cache miss or two and the
/// table's growth on every purchase, and a table entry for every order in memory.
///
/// Invariant: every order in hot state whose id does not name its shard is in
/// the table. Orders enter hot state at start-up (`init(users:route:)`) and
/// through `record(orderID:shard:)`.
final class OrderDirectory: Sendable {
    let route: OrderRoute
    private static let stripeCount = 16
    private let stripes: [Stripe]

    private final class Stripe: Sendable {
        /// Order id to user shard index.
        let shards = Mutex<[UInt64: Int]>([:])
    }

    init(route: OrderRoute) {
        self.route = route
        stripes = (0..<Self.stripeCount).map { _ in Stripe() }
    }

    /// The directory of the shards' orders whose ids do not name their shard,
    /// found on all cores, with each stripe's table sized once (start-up from a snapshot).
    convenience init(users: [UserState], route: OrderRoute) {
        self.init(route: route)
        let stripeCount = Self.stripeCount
        // Pass 1, per user shard: its unrouted orders split by stripe.
        let split = ParallelSlots<[[UInt64]]>(count: users.count)
        DispatchQueue.concurrentPerform(iterations: users.count) { shard in
            var buckets = [[UInt64]](repeating: [], count: stripeCount)
            for table in users[shard].orders.tables {
                for id in table.keys where route.shard(ofOrder: id) != shard {
                    buckets[ShardRouter.shard(of: id, count: stripeCount)].append(id)
                }
            }
            split[shard] = buckets
        }
        let byShard = split.takeAll().map { $0 ?? [] }
        // Pass 2, per stripe: one table of the right size.
        let stripes = self.stripes
        DispatchQueue.concurrentPerform(iterations: stripeCount) { stripe in
            let total = byShard.reduce(0) { $0 + ($1.isEmpty ? 0 : $1[stripe].count) }
            guard total > 0 else { return }
            stripes[stripe].shards.withLock { shards in
                shards.reserveCapacity(total)
                for (shard, buckets) in byShard.enumerated() where !buckets.isEmpty {
                    for id in buckets[stripe] { shards[id] = shard }
                }
            }
        }
    }

    /// An order now in user shard `shard`: an entry only when its id does not name that shard.
    @inline(__always)
    func record(orderID: UInt64, shard: Int) {
        guard route.shard(ofOrder: orderID) != shard else { return }
        stripe(of: orderID).shards.withLock { $0[orderID] = shard }
    }

    /// Orders that left user shard `shard` (finished orders evicted to the archive).
    func remove(orderIDs: [UInt64], shard: Int) {
        for orderID in orderIDs where route.shard(ofOrder: orderID) != shard {
            _ = stripe(of: orderID).shards.withLock { $0.removeValue(forKey: orderID) }
        }
    }

    /// The user shard that holds the order if it is in hot state: the order may
    /// still be absent there (an id no order has, or one evicted).
    func shard(ofOrder orderID: UInt64) -> Int? {
        if let shard = stripe(of: orderID).shards.withLock({ $0[orderID] }) { return shard }
        return route.shard(ofOrder: orderID)
    }

    /// How many orders need an entry (tests, and the memory an old log costs).
    var entryCount: Int { stripes.reduce(0) { $0 + $1.shards.withLock(\.count) } }

    private func stripe(of orderID: UInt64) -> Stripe {
        stripes[ShardRouter.shard(of: orderID, count: Self.stripeCount)]
    }
}
