import Dispatch

/// Start-up decodes a snapshot's orders on every core: a first pass finds where each part of
/// the order list begins (lengths only), the parts are decoded at once, each into per-shard
/// buckets, then every shard's dictionary is built at its final size from its buckets. The
/// result equals one pass in order: a shard receives its orders in list order, so a repeated id
/// keeps the last one as before, and any decoding error is the one of the first bad order.
extension EngineState {
    /// Below this many orders one thread decodes them all: splitting would cost more than it saves.
    static let parallelOrdersMin = 4_096

    mutating func decodeOrders(from reader: inout ByteReader, bytes: [UInt8],
                               parallelOrdersMin: Int) throws(ByteDecodingError) {
        var probe = reader
        let count = try probe.readLength()
        guard count <= probe.remaining else { throw .invalid("array count \(count) above remaining \(probe.remaining)") }
        let partCount = count < parallelOrdersMin ? 1 : min(count, 4 * Parallelism.coreCount)
        // Any problem finding the parts is met again, and reported, by the decoding in order.
        guard partCount > 1, let parts = try? Self.orderParts(&probe, count: count, partCount: partCount) else {
            let orders = try reader.readArray { (r: inout ByteReader) throws(ByteDecodingError) in try Self.decodeOrder(from: &r) }
            insert(orders)
            return
        }
        var buckets = try decodeParts(parts, bytes: bytes)
        insert(movingFrom: &buckets)
        reader = probe
    }

    /// Where a part of the order list lies: `count` orders from `start` up to `end`.
    struct OrderPart: Sendable {
        var start: Int
        var end: Int
        var count: Int
    }

    /// Steps over `count` orders, cutting them into `partCount` parts of nearly equal count.
    private static func orderParts(_ reader: inout ByteReader, count: Int,
                                   partCount: Int) throws(ByteDecodingError) -> [OrderPart] {
        var parts: [OrderPart] = []
        parts.reserveCapacity(partCount)
        var index = 0
        for part in 0..<partCount {
            let partEnd = count * (part + 1) / partCount
            let start = reader.offset
            while index < partEnd {
                try skipOrder(&reader)
                index += 1
            }
            parts.append(OrderPart(start: start, end: reader.offset, count: partEnd - count * part / partCount))
        }
        return parts
    }

    /// Steps over one order as `decodeOrder` lays it out, reading only lengths and the optional flag.
    private static func skipOrder(_ r: inout ByteReader) throws(ByteDecodingError) {
        try r.skip(3 * 8)                                           // id, userID, activityID
        let items = try r.readLength()
        guard items <= r.remaining else { throw .invalid("array count \(items) above remaining \(r.remaining)") }
        for _ in 0..<items {
            try r.skip(2 * 8)                                       // productID, skuID
            try r.skipString(); try r.skipString()                  // productName, skuName
            try r.skip(2 * 8)                                       // unitPriceFen, quantity
        }
        try r.skip(2 * 8 + 1 + 3 * 8)                               // totals, status, created, deadline, paid
        if try r.readBool() { try r.skipString() }                  // transactionID
        try r.skip(8 + 1)                                           // cancelledAtMs, reason
    }

    /// Decodes every part at once into buckets by user shard: `[part][shard]`.
    private func decodeParts(_ parts: [OrderPart], bytes: [UInt8]) throws(ByteDecodingError) -> [[[Order]]] {
        let results = ParallelSlots<Result<[[Order]], ByteDecodingError>>(count: parts.count)
        let shardCount = self.shardCount
        DispatchQueue.concurrentPerform(iterations: parts.count) { index in
            results[index] = Result { () throws(ByteDecodingError) in
                try Self.decodePart(parts[index], bytes: bytes, shardCount: shardCount)
            }
        }
        var buckets: [[[Order]]] = []
        buckets.reserveCapacity(parts.count)
        for result in results.takeAll() {
            guard let result else { preconditionFailure("concurrentPerform ran every part") }
            buckets.append(try result.get())
        }
        return buckets
    }

    private static func decodePart(_ part: OrderPart, bytes: [UInt8], shardCount: Int) throws(ByteDecodingError) -> [[Order]] {
        var reader = ByteReader(bytes, range: part.start..<part.end)
        var buckets = [[Order]](repeating: [], count: shardCount)
        let expectedPerShard = part.count / shardCount + part.count / (4 * shardCount) + 16
        for index in buckets.indices { buckets[index].reserveCapacity(expectedPerShard) }
        for _ in 0..<part.count {
            let order = try decodeOrder(from: &reader)
            buckets[ShardRouter.shard(of: order.userID, count: shardCount)].append(order)
        }
        // `skipOrder` and `decodeOrder` read the same layout; a part that ends elsewhere means they differ.
        guard reader.isAtEnd else { throw .invalid("orders \(part.start)..<\(part.end) decoded to offset \(reader.offset)") }
        return buckets
    }

    /// Builds each user shard's orders from its buckets, on every core, in list order (ids rising,
    /// so each order takes its user's chain's head), an id met again keeping the later order.
    /// Orders are moved out of the buckets (no retain and release of their items per order):
    /// each bucket is reversed in place, then popped from its end.
    private mutating func insert(movingFrom buckets: inout [[[Order]]]) {
        // [shard][part], each shard's buckets owned by the one iteration that builds it. Swapped,
        // not copied, so every bucket stays uniquely referenced and `popLast` never copies it.
        var byShard = [[[Order]]](repeating: [], count: shardCount)
        for part in buckets.indices {
            for shard in buckets[part].indices {
                var bucket: [Order] = []
                swap(&bucket, &buckets[part][shard])
                byShard[shard].append(bucket)
            }
        }
        users.withUnsafeMutableBufferPointer { shards in
            byShard.withUnsafeMutableBufferPointer { byShard in
                let shards = DisjointElements(buffer: shards), sources = DisjointElements(buffer: byShard)
                DispatchQueue.concurrentPerform(iterations: shards.buffer.count) { shard in
                    let total = sources.buffer[shard].reduce(0) { $0 + $1.count }
                    shards.buffer[shard].orders.reserveCapacity(shards.buffer[shard].orders.count + total)
                    for part in sources.buffer[shard].indices {
                        // Through the buffer: `Array.reverse` swaps by copies (a retain and a release of
                        // each order's references), the buffer's swaps move the bytes.
                        sources.buffer[shard][part].withUnsafeMutableBufferPointer { $0.reverse() }
                        while let order = sources.buffer[shard][part].popLast() {
                            shards.buffer[shard].store(order, replacing: true)
                        }
                    }
                }
            }
        }
    }

    /// One thread, in order: small lists, and the fallback that reports a problem where it lies.
    private mutating func insert(_ orders: [Order]) {
        let count = shardCount
        var perShard = [Int](repeating: 0, count: count)
        for order in orders { perShard[ShardRouter.shard(of: order.userID, count: count)] += 1 }
        for shard in 0..<count { users[shard].orders.reserveCapacity(users[shard].orders.count + perShard[shard]) }
        for order in orders { users[ShardRouter.shard(of: order.userID, count: count)].store(order, replacing: true) }
    }
}
