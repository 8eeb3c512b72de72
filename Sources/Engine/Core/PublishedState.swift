import Dispatch
import Synchronization

/// A read-mostly value behind a lock held only to copy it out or to apply one
/// event: readers (product pages, the purchase path) never wait behind an
/// actor's queue, and get an immutable copy (copy-on-write, so reading is a
/// retain, not a deep copy).
final class PublishedState<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ initial: Value) { value = Mutex(initial) }

    var current: Value { value.withLock { $0 } }

    /// What `body` takes from the value, without copying the rest of it out.
    func read<Result: Sendable, Failure: Error>(_ body: (borrowing Value) throws(Failure) -> Result) throws(Failure) -> Result {
        try value.withLock { value throws(Failure) in try body(value) }
    }

    func update(_ change: (inout Value) -> Void) {
        value.withLock { change(&$0) }
    }
}

/// Which user owns an order, for lookups by order id or order number
/// (payment callbacks carry only the order number). Derived from state,
/// rebuilt at recovery. Striped so purchases on many cores rarely contend.
final class OrderDirectory: Sendable {
    private static let stripeCount = 16
    private let stripes: [Stripe]

    private final class Stripe: Sendable {
        let owners = Mutex<[UInt64: UInt64]>([:])
    }

    init() {
        stripes = (0..<Self.stripeCount).map { _ in Stripe() }
    }

    /// The directory of every order the shards hold, built on all cores with
    /// each stripe's dictionary sized once (start-up from a snapshot).
    convenience init(users: [UserState]) {
        self.init()
        let stripeCount = Self.stripeCount
        // Pass 1, per user shard: its orders split by stripe.
        let split = ParallelSlots<[[(orderID: UInt64, userID: UInt64)]]>(count: users.count)
        DispatchQueue.concurrentPerform(iterations: users.count) { shard in
            var buckets = [[(orderID: UInt64, userID: UInt64)]](repeating: [], count: stripeCount)
            let expected = users[shard].orders.count / stripeCount + 16
            for index in buckets.indices { buckets[index].reserveCapacity(expected + expected / 4) }
            for table in users[shard].orders.tables {
                for order in table.values {
                    buckets[ShardRouter.shard(of: order.id, count: stripeCount)].append((order.id, order.userID))
                }
            }
            split[shard] = buckets
        }
        let byShard = split.takeAll().map { $0 ?? [] }
        // Pass 2, per stripe: one dictionary of the right size.
        let stripes = self.stripes
        DispatchQueue.concurrentPerform(iterations: stripeCount) { stripe in
            let total = byShard.reduce(0) { $0 + ($1.isEmpty ? 0 : $1[stripe].count) }
            stripes[stripe].owners.withLock { owners in
                owners.reserveCapacity(total)
                for buckets in byShard where !buckets.isEmpty {
                    for entry in buckets[stripe] { owners[entry.orderID] = entry.userID }
                }
            }
        }
    }

    func insert(orderID: UInt64, userID: UInt64) {
        stripes[ShardRouter.shard(of: orderID, count: Self.stripeCount)].owners.withLock { $0[orderID] = userID }
    }

    func remove(orderIDs: [UInt64]) {
        for orderID in orderIDs {
            _ = stripes[ShardRouter.shard(of: orderID, count: Self.stripeCount)].owners.withLock { $0.removeValue(forKey: orderID) }
        }
    }

    func userID(ofOrder orderID: UInt64) -> UInt64? {
        stripes[ShardRouter.shard(of: orderID, count: Self.stripeCount)].owners.withLock { $0[orderID] }
    }
}
