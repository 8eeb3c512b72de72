/// Which part of the state sees which part of an event: the one function that
/// both the live engine and replay route through (DESIGN invariant 9). Each
/// inventory shard an event touches is listed once; the shard then applies
/// only the lines whose SKU it owns (`InventoryState.owns(skuID:)`), so an
/// order with two lines on one shard restocks each line once, live and on replay.
public enum EventRouting {
    /// The inventory shards an event changes, each once, ascending.
    public static func inventoryShards(of event: MallEvent, shardCount: Int) -> [Int] {
        if let shard = onlyInventoryShard(of: event, shardCount: shardCount) { return [shard] }
        let skuIDs = skuIDs(of: event)
        if skuIDs.count == 1 { return [ShardRouter.shard(of: skuIDs[0], count: shardCount)] }
        return Set(skuIDs.map { ShardRouter.shard(of: $0, count: shardCount) }).sorted()
    }

    /// The SKUs whose stock an event changes.
    public static func skuIDs(of event: MallEvent) -> [UInt64] {
        switch event {
        case .productCreated(let created): created.skus.map(\.skuID)
        case .seckillActivityCreated(let created): created.items.map(\.skuID)
        case .seckillOrderPlaced(let placed): [placed.skuID]
        case .orderPlaced(let placed): placed.lines.map(\.skuID)
        case .orderCancelled(let cancelled): cancelled.restocks.map(\.skuID)
        case .productSaved(let saved): saved.openingStock.map(\.skuID)
        case .stockAdjusted(let adjusted): [adjusted.skuID]
        case .seckillStockMoved(let moved): [moved.skuID]
        case .adminUpserted, .userRegistered, .orderPaid, .paymentExceptionRecorded, .sessionOpened, .sessionRefreshed,
             .sessionsRevoked, .userProfileChanged, .userStatusChanged, .userAddressesChanged, .adminChanged,
             .adminLockedOut, .auditRecorded, .categorySaved, .categoryDeleted, .productsShelved, .productDeleted,
             .stockLow, .searchSettingsChanged, .searchRecorded, .favoriteChanged, .productViewed, .historyCleared: []
        }
    }

    /// The one inventory shard of an event that names one SKU by construction (a flash-sale
    /// purchase), found without allocating: replay routes a million of them.
    public static func onlyInventoryShard(of event: MallEvent, shardCount: Int) -> Int? {
        guard case .seckillOrderPlaced(let placed) = event else { return nil }
        return ShardRouter.shard(of: placed.skuID, count: shardCount)
    }

    /// The user whose shard an event changes, if any.
    public static func userID(of event: MallEvent) -> UInt64? {
        switch event {
        case .userRegistered(let registered): registered.userID
        case .seckillOrderPlaced(let placed): placed.userID
        case .orderPlaced(let placed): placed.userID
        case .orderPaid(let paid): paid.userID
        case .orderCancelled(let cancelled): cancelled.userID
        case .sessionOpened(let opened): opened.subject.userID
        case .sessionRefreshed(let refreshed): refreshed.subject.userID
        case .sessionsRevoked(let revoked): revoked.subject.userID
        case .userProfileChanged(let changed): changed.userID
        case .userStatusChanged(let changed): changed.userID
        case .userAddressesChanged(let changed): changed.userID
        case .searchRecorded(let recorded): recorded.userID
        case .favoriteChanged(let changed): changed.userID
        case .productViewed(let viewed): viewed.userID
        case .historyCleared(let cleared): cleared.userID
        case .adminUpserted, .productCreated, .seckillActivityCreated, .paymentExceptionRecorded, .adminChanged,
             .adminLockedOut, .auditRecorded, .categorySaved, .categoryDeleted, .productSaved, .productsShelved,
             .productDeleted, .stockAdjusted, .seckillStockMoved, .stockLow, .searchSettingsChanged: nil
        }
    }
}

/// A record that cannot be applied to the state it meets: a broken log or a
/// bug, never an input. Recovery stops on it naming the segment, LSN and event.
public struct ApplyError: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
