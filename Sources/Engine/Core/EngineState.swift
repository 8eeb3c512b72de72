import Crypto

/// The whole domain state as plain values: what replay folds events into, what
/// a snapshot stores, and what the live shards are cut from at start-up.
/// State = fold(apply, snapshot, WAL tail) (DESIGN invariant 2).
public struct EngineState: Sendable, Equatable {
    public var catalog = CatalogState()
    public var settings = SettingsState()
    public var payments = PaymentsState()
    public var inventory: [InventoryState]
    public var users: [UserState]
    /// The LSN of the last record folded in.
    public var lastLSN: UInt64 = 0

    public init(shardCount: Int) {
        inventory = (0..<shardCount).map { InventoryState(shardIndex: $0, shardCount: shardCount) }
        users = (0..<shardCount).map { UserState(shardIndex: $0, shardCount: shardCount) }
    }

    public var shardCount: Int { inventory.count }

    /// Applies one event to every part of the state it touches, routed by
    /// `EventRouting` exactly as the live shards are. Throws, without trapping,
    /// on a record that does not fit the state (DESIGN invariant 9); the state
    /// is then not to be used further.
    public mutating func apply(_ event: MallEvent, lsn: UInt64) throws(ApplyError) {
        do throws(StepFailure) {
            try apply(event, lsn: lsn, share: .all)
        } catch {
            throw error.error
        }
    }

    /// `apply` restricted to the parts of the state in `share`: parallel replay gives each
    /// applier a share, disjoint from the others', and every applier sees every record.
    /// No part reads another, so each part ends as sequential replay leaves it.
    /// - Throws: the failure with the step it happened at, which orders failures of
    ///   one record the way sequential `apply` meets them.
    mutating func apply(_ event: MallEvent, lsn: UInt64, share: Share) throws(StepFailure) {
        if share.hasGlobalParts {
            guard lsn > lastLSN else {
                throw StepFailure(.logOrder, ApplyError("records must be applied in LSN order: \(lsn) after \(lastLSN)"))
            }
            catalog.apply(event)
            settings.apply(event)
            if case .paymentExceptionRecorded(let recorded) = event { payments.apply(recorded) }
        }
        if share.hasInventory {
            if let index = EventRouting.onlyInventoryShard(of: event, shardCount: shardCount) {
                do throws(ApplyError) { try inventory[index].apply(event) } catch { throw StepFailure(.inventory(index), error) }
            } else {
                for index in EventRouting.inventoryShards(of: event, shardCount: shardCount) {
                    do throws(ApplyError) { try inventory[index].apply(event) } catch { throw StepFailure(.inventory(index), error) }
                }
            }
        }
        if let userID = EventRouting.userID(of: event) {
            let index = ShardRouter.shard(of: userID, count: shardCount)
            if share.hasUserShard(index) {
                do throws(ApplyError) { try users[index].apply(event) } catch { throw StepFailure(.user, error) }
            }
        }
        if share.hasGlobalParts { lastLSN = lsn }
    }

    /// SHA-256 of the canonical encoding: equal states have equal digests
    /// whatever the shard count or the order entries were inserted in.
    public var digest: String {
        SHA256.hash(data: encoded()).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The largest id in state, so id generation never repeats one after recovery.
    public var largestID: UInt64 {
        var largest: UInt64 = 0
        for id in catalog.products.keys { largest = max(largest, id) }
        for id in catalog.productIDBySKU.keys { largest = max(largest, id) }
        for id in catalog.activities.keys { largest = max(largest, id) }
        for id in catalog.categories.keys { largest = max(largest, id) }
        for admin in settings.admins.values { largest = max(largest, admin.id) }
        for admin in settings.admins.values { for id in admin.sessions.byFamily.keys { largest = max(largest, id) } }
        for entry in settings.audit { largest = max(largest, entry.id) }
        for shard in users {
            for id in shard.users.keys { largest = max(largest, id) }
            for id in shard.orders.keys { largest = max(largest, id) }
            for identity in shard.identities.values {
                for id in identity.sessions.byFamily.keys { largest = max(largest, id) }
                for address in identity.addresses { largest = max(largest, address.id) }
            }
        }
        return largest
    }

    public var summary: StateSummary {
        var summary = StateSummary(lastLSN: lastLSN, products: catalog.products.count, activities: catalog.activities.count)
        for shard in users {
            summary.users += shard.users.count
            for table in shard.orders.tables {
                for order in table.values { summary.ordersByStatus[order.status.rawValue, default: 0] += 1 }
            }
        }
        for shard in inventory {
            for stock in shard.seckill.values {
                summary.seckillRemaining += stock.remaining
                summary.seckillSold += stock.sold
            }
        }
        return summary
    }
}

public struct StateSummary: Sendable, Equatable, CustomStringConvertible {
    public var lastLSN: UInt64
    public var products: Int
    public var activities: Int
    public var users = 0
    public var ordersByStatus: [String: Int] = [:]
    public var seckillRemaining: Int64 = 0
    public var seckillSold: Int64 = 0

    public var orders: Int { ordersByStatus.values.reduce(0, +) }

    public var description: String {
        let statuses = ordersByStatus.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        return "lsn=\(lastLSN) products=\(products) activities=\(activities) users=\(users) orders=\(orders)"
            + (statuses.isEmpty ? "" : " (\(statuses))")
            + " seckillRemaining=\(seckillRemaining) seckillSold=\(seckillSold)"
    }
}
