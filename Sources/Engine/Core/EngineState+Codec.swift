/// The snapshot encoding of `EngineState`: canonical (every map sorted by key
/// and merged across shards), so it doubles as the input of the state digest
/// and a snapshot taken with 16 shards loads into 8.
extension EngineState {
    /// v2 = v1 followed by the payment exceptions; v3 = v2 followed by the
    /// identity section (user profiles, bans, addresses and sessions; admin
    /// accounts' permissions, status, logins, lockouts and sessions; the audit
    /// log). A state is written with the lowest version that holds it, so a
    /// state without any of the newer parts encodes (and digests) as before.
    /// v4 = v3 followed by the catalog section (categories, product details, flash-sale
    /// stock draws, ordinary sales, search settings, hot keywords, favorites and histories).
    public static let snapshotFormatVersion: UInt16 = 4

    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 1 << 16)
        let version: UInt16 = hasCatalogSection ? 4 : hasIdentitySection ? 3 : payments.exceptions.isEmpty ? 1 : 2
        writer.write(version)
        writer.write(lastLSN)
        encodeCatalog(to: &writer)
        writer.write(settings.admins.values.sorted { $0.username < $1.username }) { w, admin in
            w.write(admin.id); w.write(admin.username); w.write(admin.passwordHash); w.write(admin.role); w.write(admin.updatedAtMs)
        }
        encodeInventory(to: &writer)
        encodeUsers(to: &writer)
        if version >= 2 {
            writer.write(payments.exceptions.values.sorted { $0.transactionID < $1.transactionID }) { w, exception in
                PaymentExceptionRecorded(transactionID: exception.transactionID, orderNo: exception.orderNo,
                                         orderID: exception.orderID, amountFen: exception.amountFen,
                                         reason: exception.reason, atMs: exception.recordedAtMs).encode(to: &w)
            }
        }
        if version >= 3 { encodeIdentity(to: &writer) }
        if version >= 4 { encodeCatalogSection(to: &writer) }
        return writer.bytes
    }

    private var hasIdentitySection: Bool {
        !settings.audit.isEmpty || settings.admins.values.contains(where: \.hasIdentityExtras)
            || users.contains { !$0.identities.isEmpty }
    }

    private func encodeIdentity(to writer: inout ByteWriter) {
        writer.write(users.flatMap { $0.identities.map { ($0.key, $0.value) } }.sorted { $0.0 < $1.0 }) { w, entry in
            w.write(entry.0); entry.1.encode(to: &w)
        }
        writer.write(settings.admins.values.filter(\.hasIdentityExtras).sorted { $0.username < $1.username }) { w, admin in
            w.write(admin.username)
            w.write(admin.permissions) { $0.write($1) }
            w.write(admin.enabled); w.write(admin.deleted); w.write(admin.createdAtMs)
            w.write(admin.lastLoginAtMs); w.write(admin.lastLoginIP); w.write(admin.lockedUntilMs)
            admin.sessions.encode(to: &w)
        }
        writer.write(settings.audit) { $1.encode(to: &$0) }
    }

    private mutating func decodeIdentity(from reader: inout ByteReader) throws(ByteDecodingError) {
        let identities = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (UInt64, UserIdentity) in
            (try r.read(), try UserIdentity(from: &r))
        }
        for (userID, identity) in identities {
            let shard = ShardRouter.shard(of: userID, count: shardCount)
            guard users[shard].users[userID] != nil else { throw .invalid("identity of unknown user \(userID)") }
            users[shard].identities[userID] = identity
        }
        let extras = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> Admin in
            let username = try r.readString()
            guard var admin = settings.admins[username] else { throw .invalid("account of unknown admin \(username)") }
            admin.permissions = try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try r.readString() }
            admin.enabled = try r.readBool(); admin.deleted = try r.readBool(); admin.createdAtMs = try r.read()
            admin.lastLoginAtMs = try r.read(); admin.lastLoginIP = try r.readString(); admin.lockedUntilMs = try r.read()
            admin.sessions = try SessionSet(from: &r)
            return admin
        }
        for admin in extras { settings.put(admin) }
        settings.audit = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try AuditEntry(from: &r) }
    }

    public init(decoding bytes: [UInt8], shardCount: Int) throws(ByteDecodingError) {
        try self.init(decoding: bytes, shardCount: shardCount, parallelOrdersMin: Self.parallelOrdersMin)
    }

    /// - Parameter parallelOrdersMin: from this many orders on, they are decoded on every core
    ///   (tests compare with one thread by passing `.max`).
    init(decoding bytes: [UInt8], shardCount: Int, parallelOrdersMin: Int) throws(ByteDecodingError) {
        self.init(shardCount: shardCount)
        var reader = ByteReader(bytes)
        let version: UInt16 = try reader.read()
        guard version >= 1 else { throw .invalid("snapshot format 0 does not exist") }
        guard version <= Self.snapshotFormatVersion else { throw .invalid("snapshot format \(version) is newer than this build") }
        lastLSN = try reader.read()
        try decodeCatalog(from: &reader)
        let admins = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            Admin(id: try r.read(), username: try r.readString(), passwordHash: try r.readString(),
                  role: try r.readString(), updatedAtMs: try r.read())
        }
        for admin in admins {
            settings.apply(.adminUpserted(AdminUpserted(adminID: admin.id, username: admin.username,
                passwordHash: admin.passwordHash, role: admin.role, atMs: admin.updatedAtMs)))
        }
        try decodeInventory(from: &reader)
        try decodeUsers(from: &reader, bytes: bytes, parallelOrdersMin: parallelOrdersMin)
        if version >= 2 {
            let exceptions = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
                try PaymentExceptionRecorded(from: &r)
            }
            for exception in exceptions { payments.apply(exception) }
        }
        if version >= 3 { try decodeIdentity(from: &reader) }
        if version >= 4 { try decodeCatalogSection(from: &reader) }
        try reader.expectEnd()
    }

    private func encodeCatalog(to writer: inout ByteWriter) {
        writer.write(catalog.products.values.sorted { $0.id < $1.id }) { w, product in
            w.write(product.id); w.write(product.name); w.write(product.createdAtMs)
            w.write(product.skus) { w, sku in
                w.write(sku.id); w.write(sku.name); w.write(sku.priceFen)
                w.write(sku.spec) { $0.write($1.key); $0.write($1.value) }
            }
        }
        writer.write(catalog.activities.values.sorted { $0.id < $1.id }) { w, activity in
            SeckillActivityCreated(activityID: activity.id, name: activity.name, startMs: activity.startMs,
                                   endMs: activity.endMs, items: activity.items, atMs: activity.createdAtMs).encodeFirstLayout(to: &w)
        }
    }

    private mutating func decodeCatalog(from reader: inout ByteReader) throws(ByteDecodingError) {
        let products = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> ProductCreated in
            let id: UInt64 = try r.read()
            let name = try r.readString()
            let createdAtMs: Int64 = try r.read()
            let skus = try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> SKUDefinition in
                let skuID: UInt64 = try r.read()
                let skuName = try r.readString()
                let priceFen: Int64 = try r.read()
                let spec = try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
                    SpecPair(key: try r.readString(), value: try r.readString())
                }
                return SKUDefinition(skuID: skuID, name: skuName, spec: spec, priceFen: priceFen, stock: 0)
            }
            return ProductCreated(productID: id, name: name, skus: skus, atMs: createdAtMs)
        }
        for product in products { catalog.apply(.productCreated(product)) }
        let activities = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            try SeckillActivityCreated(from: &r, version: 1)
        }
        for activity in activities { catalog.apply(.seckillActivityCreated(activity)) }
    }

    private func encodeInventory(to writer: inout ByteWriter) {
        let stock = inventory.flatMap { $0.stockBySKU }.sorted { $0.key < $1.key }
        writer.write(stock) { $0.write($1.key); $0.write($1.value) }
        let seckill = inventory.flatMap { $0.seckill }.sorted { $0.key < $1.key }
        writer.write(seckill) { w, entry in
            w.write(entry.key.activityID); w.write(entry.key.skuID)
            w.write(entry.value.remaining); w.write(entry.value.sold); w.write(entry.value.limitPerUser)
            w.write(entry.value.boughtByUser.sorted { $0.key < $1.key }) { $0.write($1.key); $0.write($1.value) }
        }
    }

    private mutating func decodeInventory(from reader: inout ByteReader) throws(ByteDecodingError) {
        let count = shardCount
        let stock = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (UInt64, Int64) in
            (try r.read(), try r.read())
        }
        for (skuID, units) in stock { inventory[ShardRouter.shard(of: skuID, count: count)].stockBySKU[skuID] = units }
        let seckill = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (SeckillKey, SeckillStock) in
            let key = SeckillKey(activityID: try r.read(), skuID: try r.read())
            let remaining: Int64 = try r.read()
            let sold: Int64 = try r.read()
            let limit: Int64 = try r.read()
            let bought = try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (UInt64, Int64) in
                (try r.read(), try r.read())
            }
            return (key, SeckillStock(remaining: remaining, sold: sold, limitPerUser: limit,
                                      boughtByUser: Dictionary(bought, uniquingKeysWith: { $1 })))
        }
        for (key, value) in seckill { inventory[ShardRouter.shard(of: key.skuID, count: count)].seckill[key] = value }
    }

    private func encodeUsers(to writer: inout ByteWriter) {
        // Each user's orders as an id list, oldest first: the chain is how memory holds it.
        let usersWithOrders = users.flatMap { shard in
            shard.users.values.map { user in (user, shard.orderIDs(of: user.id).reversed() as [UInt64]) }
        }
        writer.write(usersWithOrders.sorted { $0.0.id < $1.0.id }) { w, entry in
            let (user, orderIDs) = entry
            w.write(user.id); w.write(user.openID); w.write(user.unionID); w.write(user.createdAtMs)
            w.write(orderIDs) { $0.write($1) }
            w.write(user.orderIDByIdempotencyKey.sorted { $0.key < $1.key }) { $0.write($1.key); $0.write($1.value) }
        }
        writer.write(users.flatMap { $0.orders.values }.sorted { $0.id < $1.id }) { w, order in
            Self.encode(order, to: &w)
        }
    }

    private mutating func decodeUsers(from reader: inout ByteReader, bytes: [UInt8],
                                      parallelOrdersMin: Int) throws(ByteDecodingError) {
        let count = shardCount
        let decodedUsers = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> User in
            var user = User(id: try r.read(), openID: try r.readString(), unionID: try r.readOptionalString(),
                            createdAtMs: try r.read())
            // The orders link themselves into their users' chains as they are stored (`UserState.store`):
            // the list is the same chain, written for the digest and for readers of the format.
            try r.skip(try r.readLength() * MemoryLayout<UInt64>.size)
            let keys = try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) -> (String, UInt64) in
                (try r.readString(), try r.read())
            }
            user.orderIDByIdempotencyKey = Dictionary(keys, uniquingKeysWith: { $1 })
            return user
        }
        var perShard = [Int](repeating: 0, count: count)
        for user in decodedUsers { perShard[ShardRouter.shard(of: user.id, count: count)] += 1 }
        for shard in 0..<count {
            users[shard].users.reserveCapacity(perShard[shard])
            // Room for a chain of orders per user, so building them never regrows the table.
            users[shard].orderChains.reserveCapacity(perShard[shard])
        }
        for user in decodedUsers { users[ShardRouter.shard(of: user.id, count: count)].users[user.id] = user }
        try decodeOrders(from: &reader, bytes: bytes, parallelOrdersMin: parallelOrdersMin)
    }

    static func encode(_ order: Order, to w: inout ByteWriter) {
        w.write(order.id); w.write(order.userID); w.write(order.activityID)
        w.write(order.items) { w, item in
            w.write(item.productID); w.write(item.skuID); w.write(item.productName); w.write(item.skuName)
            w.write(item.unitPriceFen); w.write(item.quantity)
        }
        w.write(order.totalFen); w.write(order.payAmountFen); w.write(order.status.code)
        w.write(order.createdAtMs); w.write(order.payDeadlineMs)
        w.write(order.paidAtMs ?? -1); w.write(order.transactionID)
        w.write(order.cancelledAtMs ?? -1); w.write(order.cancelReason?.code ?? 255)
    }

    static func decodeOrder(from r: inout ByteReader) throws(ByteDecodingError) -> Order {
        let id: UInt64 = try r.read()
        let userID: UInt64 = try r.read()
        let activityID: UInt64 = try r.read()
        let items = try r.readArray { (r: inout ByteReader) throws(ByteDecodingError) in
            OrderItem(productID: try r.read(), skuID: try r.read(), productName: try r.readString(),
                      skuName: try r.readString(), unitPriceFen: try r.read(), quantity: try r.read())
        }
        let totalFen: Int64 = try r.read()
        let payAmountFen: Int64 = try r.read()
        let status = try OrderStatus(code: try r.read())
        let createdAtMs: Int64 = try r.read()
        let deadlineMs: Int64 = try r.read()
        let paidAtMs: Int64 = try r.read()
        let transactionID = try r.readOptionalString()
        let cancelledAtMs: Int64 = try r.read()
        let reasonCode: UInt8 = try r.read()
        return Order(id: id, userID: userID, activityID: activityID, items: items, totalFen: totalFen,
                     payAmountFen: payAmountFen, status: status, createdAtMs: createdAtMs, payDeadlineMs: deadlineMs,
                     paidAtMs: paidAtMs < 0 ? nil : paidAtMs, transactionID: transactionID,
                     cancelledAtMs: cancelledAtMs < 0 ? nil : cancelledAtMs,
                     cancelReason: reasonCode == 255 ? nil : try CancelReason(code: reasonCode))
    }
}
