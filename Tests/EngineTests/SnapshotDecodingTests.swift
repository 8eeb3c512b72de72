@testable import Engine
import MallTestSupport
import Testing

/// Issue 7: a snapshot's orders are decoded on every core. The state (and digest) must be the
/// one decoding in order gives, and damaged bytes must be refused with the same error.
@Suite("Snapshot state decoding")
struct SnapshotDecodingTests {
    /// A state with users, ordinary and flash-sale orders (some paid, some cancelled, some keyed):
    /// more orders than `EngineState.parallelOrdersMin`, so they are decoded in parts.
    static func bigState(orders orderCount: Int, shards: Int = 5) throws -> EngineState {
        var state = EngineState(shardCount: shards)
        var lsn: UInt64 = 0
        func apply(_ event: MallEvent) throws {
            lsn += 1
            try state.apply(event, lsn: lsn)
        }
        let skus = (0..<4).map { SKUDefinition(skuID: 100 + UInt64($0), name: "规格\($0)", spec: [], priceFen: 500, stock: 1_000_000) }
        try apply(.productCreated(ProductCreated(productID: 10, name: "茶 tea", skus: skus, atMs: testEpochMs)))
        try apply(.seckillActivityCreated(SeckillActivityCreated(activityID: 20, name: "flash", startMs: 0, endMs: .max, items: [
            SeckillItemDefinition(skuID: 100, seckillPriceFen: 99, stock: 1_000_000, limitPerUser: 1_000_000)], atMs: testEpochMs)))
        let userIDs = (0..<257).map { 1_000 + UInt64($0) }
        for userID in userIDs {
            try apply(.userRegistered(UserRegistered(userID: userID, openID: "o\(userID)", unionID: userID % 3 == 0 ? "u" : nil,
                                                     atMs: testEpochMs)))
        }
        for index in 0..<orderCount {
            let orderID = 1_000_000 + UInt64(index), userID = userIDs[index % userIDs.count]
            let key = index % 5 == 0 ? "key-\(index)" : nil
            if index % 3 == 0 {
                let lines = (0..<(index % 4 + 1)).map {
                    OrderLine(productID: 10, skuID: skus[$0].skuID, productName: "茶 tea", skuName: skus[$0].name,
                              unitPriceFen: 500, quantity: 1, amountFen: 500)
                }
                try apply(.orderPlaced(OrderPlaced(orderID: orderID, userID: userID, lines: lines, totalFen: 500 * Int64(lines.count),
                                                   payAmountFen: 500 * Int64(lines.count), deadlineMs: testEpochMs + 900_000,
                                                   atMs: testEpochMs, idempotencyKey: key)))
            } else {
                try apply(.seckillOrderPlaced(SeckillOrderPlaced(
                    orderID: orderID, userID: userID, activityID: 20, productID: 10, skuID: 100, productName: "茶 tea",
                    skuName: "规格0", quantity: 1, unitPriceFen: 99, totalFen: 99, deadlineMs: testEpochMs + 900_000,
                    atMs: testEpochMs, idempotencyKey: key)))
            }
            if index % 7 == 1 {
                try apply(.orderPaid(OrderPaid(orderID: orderID, userID: userID, transactionID: "tx\(index)", amountFen: 1,
                                               atMs: testEpochMs + 1)))
            }
        }
        return state
    }

    @Test("a snapshot of many orders decodes on every core to the state it was taken from, in any shard count")
    func roundTrip() throws {
        let state = try Self.bigState(orders: 3 * EngineState.parallelOrdersMin + 17)
        let bytes = state.encoded()
        let decoded = try EngineState(decoding: bytes, shardCount: 5)
        #expect(decoded == state)
        #expect(decoded.digest == state.digest)
        for shards in [1, 3, 16] {
            let resharded = try EngineState(decoding: bytes, shardCount: shards)
            #expect(resharded.encoded() == bytes)
            #expect(resharded == (try EngineState(decoding: bytes, shardCount: shards, parallelOrdersMin: .max)))
        }
    }

    @Test("damaged order bytes are refused with the error decoding in order gives, or decode to the same state")
    func damageIsRefusedAlike() throws {
        let state = try Self.bigState(orders: EngineState.parallelOrdersMin + 100, shards: 3)
        let bytes = state.encoded()
        var random = SeededGenerator(seed: 0x7265_706c_6179)
        // The orders come last (there are no payment exceptions): damage the second half of the bytes.
        let ordersFrom = bytes.count / 2
        for iteration in 0..<80 {
            var damaged = bytes
            switch iteration % 4 {
            case 0: damaged[Int.random(in: ordersFrom..<bytes.count, using: &random)] ^= 1 << UInt8.random(in: 0..<8, using: &random)
            case 1: damaged.removeLast(Int.random(in: 1..<(bytes.count - ordersFrom), using: &random))
            case 2: damaged[Int.random(in: ordersFrom..<bytes.count, using: &random)] = 0xFF
            default:
                damaged.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0x7F], at: Int.random(in: ordersFrom..<bytes.count, using: &random))
            }
            let inOrder = Result { () throws(ByteDecodingError) in
                try EngineState(decoding: damaged, shardCount: 3, parallelOrdersMin: .max)
            }
            let inParts = Result { () throws(ByteDecodingError) in try EngineState(decoding: damaged, shardCount: 3) }
            #expect(inParts == inOrder, "iteration \(iteration)")
        }
    }
}
