/// Every fact the engine records. Each case has a stable type tag and a
/// version (DESIGN invariant 7): tags are never reused, and a new layout gets
/// a new version while the reader keeps decoding the old ones. The golden
/// fixtures under Tests/EngineTests/Fixtures must keep loading.
public enum MallEvent: Sendable, Equatable {
    case adminUpserted(AdminUpserted)
    case userRegistered(UserRegistered)
    case productCreated(ProductCreated)
    case seckillActivityCreated(SeckillActivityCreated)
    case seckillOrderPlaced(SeckillOrderPlaced)
    case orderPaid(OrderPaid)
    case orderCancelled(OrderCancelled)
    case orderPlaced(OrderPlaced)
    case paymentExceptionRecorded(PaymentExceptionRecorded)
    case sessionOpened(SessionOpened)
    case sessionRefreshed(SessionRefreshed)
    case sessionsRevoked(SessionsRevoked)
    case userProfileChanged(UserProfileChanged)
    case userStatusChanged(UserStatusChanged)
    case userAddressesChanged(UserAddressesChanged)
    case adminChanged(AdminChanged)
    case adminLockedOut(AdminLockedOut)
    case auditRecorded(AuditRecorded)
    case categorySaved(CategorySaved)
    case categoryDeleted(CategoryDeleted)
    case productSaved(ProductSaved)
    case productsShelved(ProductsShelved)
    case productDeleted(ProductDeleted)
    case stockAdjusted(StockAdjusted)
    case seckillStockMoved(SeckillStockMoved)
    case stockLow(StockLow)
    case searchSettingsChanged(SearchSettingsChanged)
    case searchRecorded(SearchRecorded)
    case favoriteChanged(FavoriteChanged)
    case productViewed(ProductViewed)
    case historyCleared(HistoryCleared)

    public enum Tag: UInt16, CaseIterable, Sendable {
        case adminUpserted = 1
        case userRegistered = 2
        case productCreated = 3
        case seckillActivityCreated = 4
        case seckillOrderPlaced = 5
        case orderPaid = 6
        case orderCancelled = 7
        case orderPlaced = 8
        case paymentExceptionRecorded = 9
        case sessionOpened = 10
        case sessionRefreshed = 11
        case sessionsRevoked = 12
        case userProfileChanged = 13
        case userStatusChanged = 14
        case userAddressesChanged = 15
        case adminChanged = 16
        case adminLockedOut = 17
        case auditRecorded = 18
        case categorySaved = 19
        case categoryDeleted = 20
        case productSaved = 21
        case productsShelved = 22
        case productDeleted = 23
        case stockAdjusted = 24
        case seckillStockMoved = 25
        case stockLow = 26
        case searchSettingsChanged = 27
        case searchRecorded = 28
        case favoriteChanged = 29
        case productViewed = 30
        case historyCleared = 31

        /// The layout this build writes; every older one still decodes.
        public var currentVersion: UInt16 {
            switch self {
            // v2 carries the order total, computed once by the decision (DESIGN invariant 9).
            case .seckillOrderPlaced: 2
            // v2 draws the items' units from the SKUs' stock; v1 activities had stock of their own.
            case .seckillActivityCreated: 2
            case .adminUpserted, .userRegistered, .productCreated, .orderPaid, .orderCancelled,
                 .orderPlaced, .paymentExceptionRecorded, .sessionOpened, .sessionRefreshed, .sessionsRevoked,
                 .userProfileChanged, .userStatusChanged, .userAddressesChanged, .adminChanged, .adminLockedOut,
                 .auditRecorded, .categorySaved, .categoryDeleted, .productSaved, .productsShelved, .productDeleted, .stockAdjusted, .seckillStockMoved, .stockLow, .searchSettingsChanged, .searchRecorded, .favoriteChanged, .productViewed, .historyCleared: 1
            }
        }

        public var name: String {
            switch self {
            case .adminUpserted: "AdminUpserted"
            case .userRegistered: "UserRegistered"
            case .productCreated: "ProductCreated"
            case .seckillActivityCreated: "SeckillActivityCreated"
            case .seckillOrderPlaced: "SeckillOrderPlaced"
            case .orderPaid: "OrderPaid"
            case .orderCancelled: "OrderCancelled"
            case .orderPlaced: "OrderPlaced"
            case .paymentExceptionRecorded: "PaymentExceptionRecorded"
            case .sessionOpened: "SessionOpened"
            case .sessionRefreshed: "SessionRefreshed"
            case .sessionsRevoked: "SessionsRevoked"
            case .userProfileChanged: "UserProfileChanged"
            case .userStatusChanged: "UserStatusChanged"
            case .userAddressesChanged: "UserAddressesChanged"
            case .adminChanged: "AdminChanged"
            case .adminLockedOut: "AdminLockedOut"
            case .auditRecorded: "AuditRecorded"
            case .categorySaved: "CategorySaved"
            case .categoryDeleted: "CategoryDeleted"
            case .productSaved: "ProductSaved"
            case .productsShelved: "ProductsShelved"
            case .productDeleted: "ProductDeleted"
            case .stockAdjusted: "StockAdjusted"
            case .seckillStockMoved: "SeckillStockMoved"
            case .stockLow: "StockLow"
            case .searchSettingsChanged: "SearchSettingsChanged"
            case .searchRecorded: "SearchRecorded"
            case .favoriteChanged: "FavoriteChanged"
            case .productViewed: "ProductViewed"
            case .historyCleared: "HistoryCleared"
            }
        }
    }

    /// The version this event is written with.
    public var version: UInt16 { tag.currentVersion }

    public var tag: Tag {
        switch self {
        case .adminUpserted: .adminUpserted
        case .userRegistered: .userRegistered
        case .productCreated: .productCreated
        case .seckillActivityCreated: .seckillActivityCreated
        case .seckillOrderPlaced: .seckillOrderPlaced
        case .orderPaid: .orderPaid
        case .orderCancelled: .orderCancelled
        case .orderPlaced: .orderPlaced
        case .paymentExceptionRecorded: .paymentExceptionRecorded
        case .sessionOpened: .sessionOpened
        case .sessionRefreshed: .sessionRefreshed
        case .sessionsRevoked: .sessionsRevoked
        case .userProfileChanged: .userProfileChanged
        case .userStatusChanged: .userStatusChanged
        case .userAddressesChanged: .userAddressesChanged
        case .adminChanged: .adminChanged
        case .adminLockedOut: .adminLockedOut
        case .auditRecorded: .auditRecorded
        case .categorySaved: .categorySaved
        case .categoryDeleted: .categoryDeleted
        case .productSaved: .productSaved
        case .productsShelved: .productsShelved
        case .productDeleted: .productDeleted
        case .stockAdjusted: .stockAdjusted
        case .seckillStockMoved: .seckillStockMoved
        case .stockLow: .stockLow
        case .searchSettingsChanged: .searchSettingsChanged
        case .searchRecorded: .searchRecorded
        case .favoriteChanged: .favoriteChanged
        case .productViewed: .productViewed
        case .historyCleared: .historyCleared
        }
    }

    public func encodePayload() -> [UInt8] {
        var writer = ByteWriter(capacity: 96)
        encode(to: &writer)
        return writer.bytes
    }

    /// Appends the payload to `bytes`, a record group's buffer, with no array of its own.
    func appendPayload(to bytes: inout [UInt8]) {
        ByteWriter.appending(to: &bytes) { encode(to: &$0) }
    }

    private func encode(to writer: inout ByteWriter) {
        switch self {
        case .adminUpserted(let event): event.encode(to: &writer)
        case .userRegistered(let event): event.encode(to: &writer)
        case .productCreated(let event): event.encode(to: &writer)
        case .seckillActivityCreated(let event): event.encode(to: &writer)
        case .seckillOrderPlaced(let event): event.encode(to: &writer)
        case .orderPaid(let event): event.encode(to: &writer)
        case .orderCancelled(let event): event.encode(to: &writer)
        case .orderPlaced(let event): event.encode(to: &writer)
        case .paymentExceptionRecorded(let event): event.encode(to: &writer)
        case .sessionOpened(let event): event.encode(to: &writer)
        case .sessionRefreshed(let event): event.encode(to: &writer)
        case .sessionsRevoked(let event): event.encode(to: &writer)
        case .userProfileChanged(let event): event.encode(to: &writer)
        case .userStatusChanged(let event): event.encode(to: &writer)
        case .userAddressesChanged(let event): event.encode(to: &writer)
        case .adminChanged(let event): event.encode(to: &writer)
        case .adminLockedOut(let event): event.encode(to: &writer)
        case .auditRecorded(let event): event.encode(to: &writer)
        case .categorySaved(let event): event.encode(to: &writer)
        case .categoryDeleted(let event): event.encode(to: &writer)
        case .productSaved(let event): event.encode(to: &writer)
        case .productsShelved(let event): event.encode(to: &writer)
        case .productDeleted(let event): event.encode(to: &writer)
        case .stockAdjusted(let event): event.encode(to: &writer)
        case .seckillStockMoved(let event): event.encode(to: &writer)
        case .stockLow(let event): event.encode(to: &writer)
        case .searchSettingsChanged(let event): event.encode(to: &writer)
        case .searchRecorded(let event): event.encode(to: &writer)
        case .favoriteChanged(let event): event.encode(to: &writer)
        case .productViewed(let event): event.encode(to: &writer)
        case .historyCleared(let event): event.encode(to: &writer)
        }
    }

    public static func decode(tag rawTag: UInt16, version: UInt16, payload: [UInt8]) throws(ByteDecodingError) -> MallEvent {
        try decode(tag: rawTag, version: version, bytes: payload, range: payload.startIndex..<payload.endIndex)
    }

    /// Decodes the payload `bytes[range]` in place (replay reads records inside their frame).
    public static func decode(tag rawTag: UInt16, version: UInt16, bytes: [UInt8],
                              range: Range<Int>) throws(ByteDecodingError) -> MallEvent {
        guard let tag = Tag(rawValue: rawTag) else { throw .invalid("unknown event tag \(rawTag)") }
        guard version >= 1 else { throw .invalid("\(tag.name) version 0 does not exist") }
        guard version <= tag.currentVersion else { throw .invalid("\(tag.name) version \(version) is newer than this build") }
        var reader = ByteReader(bytes, range: range)
        let event: MallEvent
        switch tag {
        case .adminUpserted: event = .adminUpserted(try AdminUpserted(from: &reader))
        case .userRegistered: event = .userRegistered(try UserRegistered(from: &reader))
        case .productCreated: event = .productCreated(try ProductCreated(from: &reader))
        case .seckillActivityCreated: event = .seckillActivityCreated(try SeckillActivityCreated(from: &reader, version: version))
        case .seckillOrderPlaced: event = .seckillOrderPlaced(try SeckillOrderPlaced(from: &reader, version: version))
        case .orderPaid: event = .orderPaid(try OrderPaid(from: &reader))
        case .orderCancelled: event = .orderCancelled(try OrderCancelled(from: &reader))
        case .orderPlaced: event = .orderPlaced(try OrderPlaced(from: &reader))
        case .paymentExceptionRecorded: event = .paymentExceptionRecorded(try PaymentExceptionRecorded(from: &reader))
        case .sessionOpened: event = .sessionOpened(try SessionOpened(from: &reader))
        case .sessionRefreshed: event = .sessionRefreshed(try SessionRefreshed(from: &reader))
        case .sessionsRevoked: event = .sessionsRevoked(try SessionsRevoked(from: &reader))
        case .userProfileChanged: event = .userProfileChanged(try UserProfileChanged(from: &reader))
        case .userStatusChanged: event = .userStatusChanged(try UserStatusChanged(from: &reader))
        case .userAddressesChanged: event = .userAddressesChanged(try UserAddressesChanged(from: &reader))
        case .adminChanged: event = .adminChanged(try AdminChanged(from: &reader))
        case .adminLockedOut: event = .adminLockedOut(try AdminLockedOut(from: &reader))
        case .auditRecorded: event = .auditRecorded(try AuditRecorded(from: &reader))
        case .categorySaved: event = .categorySaved(try CategorySaved(from: &reader))
        case .categoryDeleted: event = .categoryDeleted(try CategoryDeleted(from: &reader))
        case .productSaved: event = .productSaved(try ProductSaved(from: &reader))
        case .productsShelved: event = .productsShelved(try ProductsShelved(from: &reader))
        case .productDeleted: event = .productDeleted(try ProductDeleted(from: &reader))
        case .stockAdjusted: event = .stockAdjusted(try StockAdjusted(from: &reader))
        case .seckillStockMoved: event = .seckillStockMoved(try SeckillStockMoved(from: &reader))
        case .stockLow: event = .stockLow(try StockLow(from: &reader))
        case .searchSettingsChanged: event = .searchSettingsChanged(try SearchSettingsChanged(from: &reader))
        case .searchRecorded: event = .searchRecorded(try SearchRecorded(from: &reader))
        case .favoriteChanged: event = .favoriteChanged(try FavoriteChanged(from: &reader))
        case .productViewed: event = .productViewed(try ProductViewed(from: &reader))
        case .historyCleared: event = .historyCleared(try HistoryCleared(from: &reader))
        }
        try reader.expectEnd()
        return event
    }
}

public struct AdminUpserted: Sendable, Equatable {
    public var adminID: UInt64
    public var username: String
    public var passwordHash: String
    public var role: String
    public var atMs: Int64

    func encode(to writer: inout ByteWriter) {
        writer.write(adminID); writer.write(username); writer.write(passwordHash); writer.write(role); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        adminID = try reader.read(); username = try reader.readString()
        passwordHash = try reader.readString(); role = try reader.readString(); atMs = try reader.read()
    }

    public init(adminID: UInt64, username: String, passwordHash: String, role: String, atMs: Int64) {
        (self.adminID, self.username, self.passwordHash, self.role, self.atMs) = (adminID, username, passwordHash, role, atMs)
    }
}

public struct UserRegistered: Sendable, Equatable {
    public var userID: UInt64
    public var openID: String
    public var unionID: String?
    public var atMs: Int64

    func encode(to writer: inout ByteWriter) {
        writer.write(userID); writer.write(openID); writer.write(unionID); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        userID = try reader.read(); openID = try reader.readString()
        unionID = try reader.readOptionalString(); atMs = try reader.read()
    }

    public init(userID: UInt64, openID: String, unionID: String?, atMs: Int64) {
        (self.userID, self.openID, self.unionID, self.atMs) = (userID, openID, unionID, atMs)
    }
}

public struct SKUDefinition: Sendable, Equatable {
    public var skuID: UInt64
    public var name: String
    /// Spec pairs sorted by key, so encoding and digests are deterministic.
    public var spec: [SpecPair]
    public var priceFen: Int64
    public var stock: Int64

    public init(skuID: UInt64, name: String, spec: [SpecPair], priceFen: Int64, stock: Int64) {
        (self.skuID, self.name, self.priceFen, self.stock) = (skuID, name, priceFen, stock)
        self.spec = spec.sorted { $0.key < $1.key }
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(skuID); writer.write(name)
        writer.write(spec) { $0.write($1.key); $0.write($1.value) }
        writer.write(priceFen); writer.write(stock)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        skuID = try reader.read(); name = try reader.readString()
        spec = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            SpecPair(key: try r.readString(), value: try r.readString())
        }
        priceFen = try reader.read(); stock = try reader.read()
    }
}

public struct SpecPair: Sendable, Equatable, Hashable {
    public var key: String
    public var value: String
    public init(key: String, value: String) { (self.key, self.value) = (key, value) }
}

public struct ProductCreated: Sendable, Equatable {
    public var productID: UInt64
    public var name: String
    public var skus: [SKUDefinition]
    public var atMs: Int64

    public init(productID: UInt64, name: String, skus: [SKUDefinition], atMs: Int64) {
        (self.productID, self.name, self.skus, self.atMs) = (productID, name, skus, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(productID); writer.write(name)
        writer.write(skus) { $1.encode(to: &$0) }
        writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        productID = try reader.read(); name = try reader.readString()
        skus = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try SKUDefinition(from: &r) }
        atMs = try reader.read()
    }
}

public struct SeckillItemDefinition: Sendable, Equatable {
    public var skuID: UInt64
    public var seckillPriceFen: Int64
    public var stock: Int64
    public var limitPerUser: Int64

    public init(skuID: UInt64, seckillPriceFen: Int64, stock: Int64, limitPerUser: Int64) {
        (self.skuID, self.seckillPriceFen, self.stock, self.limitPerUser) = (skuID, seckillPriceFen, stock, limitPerUser)
    }
}

public struct SeckillActivityCreated: Sendable, Equatable {
    public var activityID: UInt64
    public var name: String
    public var startMs: Int64
    public var endMs: Int64
    public var items: [SeckillItemDefinition]
    public var atMs: Int64
    /// v2: the items' units move out of their SKUs' stock (and back when the sale ends).
    /// v1 activities had units of their own, which never return to stock.
    public var drawsFromStock: Bool

    public init(activityID: UInt64, name: String, startMs: Int64, endMs: Int64, items: [SeckillItemDefinition], atMs: Int64,
                drawsFromStock: Bool = false) {
        (self.activityID, self.name, self.startMs, self.endMs, self.items, self.atMs) = (activityID, name, startMs, endMs, items, atMs)
        self.drawsFromStock = drawsFromStock
    }

    func encode(to writer: inout ByteWriter) {
        encodeFirstLayout(to: &writer)
        writer.write(drawsFromStock)
    }

    /// The v1 layout, which snapshots keep for their activity list (`drawsFromStock` has its own section).
    func encodeFirstLayout(to writer: inout ByteWriter) {
        writer.write(activityID); writer.write(name); writer.write(startMs); writer.write(endMs)
        writer.write(items) {
            $0.write($1.skuID); $0.write($1.seckillPriceFen); $0.write($1.stock); $0.write($1.limitPerUser)
        }
        writer.write(atMs)
    }

    init(from reader: inout ByteReader, version: UInt16) throws(ByteDecodingError) {
        activityID = try reader.read(); name = try reader.readString()
        startMs = try reader.read(); endMs = try reader.read()
        items = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            SeckillItemDefinition(skuID: try r.read(), seckillPriceFen: try r.read(), stock: try r.read(), limitPerUser: try r.read())
        }
        atMs = try reader.read()
        drawsFromStock = version >= 2 ? try reader.readBool() : false
    }
}

/// One record holds both effects of a flash-sale purchase (DESIGN invariant 3):
/// the take on the SKU's inventory shard and the new order on the buyer's shard.
public struct SeckillOrderPlaced: Sendable, Equatable {
    public var orderID: UInt64
    public var userID: UInt64
    public var activityID: UInt64
    public var productID: UInt64
    public var skuID: UInt64
    public var productName: String
    public var skuName: String
    public var quantity: Int64
    public var unitPriceFen: Int64
    /// unitPriceFen × quantity, computed with checked arithmetic by the decision (v2);
    /// `apply` and the archiver read it and never multiply.
    public var totalFen: Int64
    public var deadlineMs: Int64
    public var atMs: Int64
    /// The buyer's `Idempotency-Key`, so a retried request returns this order, also after a restart.
    public var idempotencyKey: String?

    func encode(to writer: inout ByteWriter) {
        writer.write(orderID); writer.write(userID); writer.write(activityID); writer.write(productID)
        writer.write(skuID); writer.write(productName); writer.write(skuName); writer.write(quantity)
        writer.write(unitPriceFen); writer.write(deadlineMs); writer.write(atMs); writer.write(idempotencyKey)
        writer.write(totalFen)
    }

    init(from reader: inout ByteReader, version: UInt16) throws(ByteDecodingError) {
        orderID = try reader.read(); userID = try reader.read(); activityID = try reader.read()
        productID = try reader.read(); skuID = try reader.read(); productName = try reader.readString()
        skuName = try reader.readString(); quantity = try reader.read(); unitPriceFen = try reader.read()
        deadlineMs = try reader.read(); atMs = try reader.read(); idempotencyKey = try reader.readOptionalString()
        if version >= 2 {
            totalFen = try reader.read()
        } else {
            // v1 records carry no total: derive it once here, refusing one that cannot be represented.
            let (total, overflow) = unitPriceFen.multipliedReportingOverflow(by: quantity)
            guard !overflow else { throw .invalid("v1 order \(orderID): \(unitPriceFen) fen × \(quantity) overflows") }
            totalFen = total
        }
    }

    public init(orderID: UInt64, userID: UInt64, activityID: UInt64, productID: UInt64, skuID: UInt64,
                productName: String, skuName: String, quantity: Int64, unitPriceFen: Int64, totalFen: Int64,
                deadlineMs: Int64, atMs: Int64, idempotencyKey: String? = nil) {
        (self.orderID, self.userID, self.activityID, self.productID, self.skuID) = (orderID, userID, activityID, productID, skuID)
        (self.productName, self.skuName, self.quantity, self.unitPriceFen) = (productName, skuName, quantity, unitPriceFen)
        (self.totalFen, self.deadlineMs, self.atMs, self.idempotencyKey) = (totalFen, deadlineMs, atMs, idempotencyKey)
    }
}

public struct OrderPaid: Sendable, Equatable {
    public var orderID: UInt64
    public var userID: UInt64
    public var transactionID: String
    public var amountFen: Int64
    public var atMs: Int64

    public init(orderID: UInt64, userID: UInt64, transactionID: String, amountFen: Int64, atMs: Int64) {
        (self.orderID, self.userID, self.transactionID, self.amountFen, self.atMs) = (orderID, userID, transactionID, amountFen, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(orderID); writer.write(userID); writer.write(transactionID); writer.write(amountFen); writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        orderID = try reader.read(); userID = try reader.read(); transactionID = try reader.readString()
        amountFen = try reader.read(); atMs = try reader.read()
    }
}

/// A give-back of stock: where the units return to, as deltas.
public struct Restock: Sendable, Equatable {
    /// 0 for ordinary stock; otherwise the flash-sale activity the units return to.
    public var activityID: UInt64
    public var skuID: UInt64
    public var quantity: Int64

    public init(activityID: UInt64, skuID: UInt64, quantity: Int64) {
        (self.activityID, self.skuID, self.quantity) = (activityID, skuID, quantity)
    }
}

public struct OrderCancelled: Sendable, Equatable {
    public var orderID: UInt64
    public var userID: UInt64
    public var reason: CancelReason
    public var restocks: [Restock]
    public var atMs: Int64

    public init(orderID: UInt64, userID: UInt64, reason: CancelReason, restocks: [Restock], atMs: Int64) {
        (self.orderID, self.userID, self.reason, self.restocks, self.atMs) = (orderID, userID, reason, restocks, atMs)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(orderID); writer.write(userID); writer.write(reason.code)
        writer.write(restocks) { $0.write($1.activityID); $0.write($1.skuID); $0.write($1.quantity) }
        writer.write(atMs)
    }

    init(from reader: inout ByteReader) throws(ByteDecodingError) {
        orderID = try reader.read(); userID = try reader.read()
        reason = try CancelReason(code: try reader.read())
        restocks = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            Restock(activityID: try r.read(), skuID: try r.read(), quantity: try r.read())
        }
        atMs = try reader.read()
    }
}
