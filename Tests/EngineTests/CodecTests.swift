import Engine
import Testing

@Suite("Event and state codecs")
struct CodecTests {
    static let events: [MallEvent] = [
        .adminUpserted(AdminUpserted(adminID: 1, username: "admin", passwordHash: "$2b$hash", role: "super_admin", atMs: 5)),
        .userRegistered(UserRegistered(userID: 2, openID: "o-abc", unionID: "u-1", atMs: 6)),
        .userRegistered(UserRegistered(userID: 3, openID: "o-def", unionID: nil, atMs: 7)),
        .productCreated(ProductCreated(productID: 4, name: "茶 tea", skus: [
            SKUDefinition(skuID: 5, name: "红色 XL", spec: [SpecPair(key: "颜色", value: "红色")], priceFen: 1999, stock: 10),
        ], atMs: 8)),
        .seckillActivityCreated(SeckillActivityCreated(activityID: 6, name: "秒杀", startMs: 1, endMs: 2, items: [
            SeckillItemDefinition(skuID: 5, seckillPriceFen: 999, stock: 3, limitPerUser: 1),
        ], atMs: 9)),
        .seckillOrderPlaced(SeckillOrderPlaced(orderID: 7, userID: 2, activityID: 6, productID: 4, skuID: 5, productName: "茶",
                                               skuName: "红色 XL", quantity: 1, unitPriceFen: 999, totalFen: 999, deadlineMs: 100, atMs: 10,
                                               idempotencyKey: "retry-1")),
        .orderPaid(OrderPaid(orderID: 7, userID: 2, transactionID: "42000", amountFen: 999, atMs: 11)),
        .orderCancelled(OrderCancelled(orderID: 7, userID: 2, reason: .timeout,
                                       restocks: [Restock(activityID: 6, skuID: 5, quantity: 1)], atMs: 12)),
        .orderPlaced(OrderPlaced(orderID: 8, userID: 3, lines: [
            OrderLine(productID: 4, skuID: 5, productName: "茶", skuName: "红色 XL", unitPriceFen: 1999, quantity: 2, amountFen: 3998),
        ], totalFen: 3998, payAmountFen: 3998, deadlineMs: 200, atMs: 13, idempotencyKey: nil)),
        .paymentExceptionRecorded(PaymentExceptionRecorded(transactionID: "42001", orderNo: "M1", orderID: 7, amountFen: 999,
                                                           reason: .orderCancelled, atMs: 14)),
    ]

    @Test("every event type round-trips through its binary payload")
    func eventsRoundTrip() throws {
        for event in Self.events {
            let decoded = try MallEvent.decode(tag: event.tag.rawValue, version: event.version, payload: event.encodePayload())
            #expect(decoded == event)
        }
    }

    @Test("truncated, extended or unknown payloads are refused, never trapped on")
    func corruptPayloads() {
        for event in Self.events {
            let payload = event.encodePayload()
            for cut in 0..<payload.count {
                #expect(throws: ByteDecodingError.self) {
                    try MallEvent.decode(tag: event.tag.rawValue, version: event.version, payload: Array(payload[..<cut]))
                }
            }
            #expect(throws: ByteDecodingError.self) {
                try MallEvent.decode(tag: event.tag.rawValue, version: event.version, payload: payload + [0])
            }
            #expect(throws: ByteDecodingError.self) {
                try MallEvent.decode(tag: event.tag.rawValue, version: event.version + 1, payload: payload)
            }
            #expect(throws: ByteDecodingError.self) {
                try MallEvent.decode(tag: event.tag.rawValue, version: 0, payload: payload)
            }
        }
        #expect(throws: ByteDecodingError.self) { try MallEvent.decode(tag: 999, version: 1, payload: []) }
    }

    @Test("state survives the snapshot encoding, whatever the shard count")
    func stateRoundTrip() throws {
        var state = EngineState(shardCount: 3)
        for (index, event) in Self.events.prefix(6).enumerated() { try state.apply(event, lsn: UInt64(index + 1)) }
        let decoded = try EngineState(decoding: state.encoded(), shardCount: 5)
        #expect(decoded.digest == state.digest)
        #expect(decoded.summary == state.summary)
        let same = try EngineState(decoding: state.encoded(), shardCount: 3)
        #expect(same == state)
    }

    @Test("order numbers are 22 digits, sortable, and map back to the order id")
    func orderNumbers() {
        let clock = ManualClock(nowMs: 1_795_773_600_123)
        let ids = IDGenerator(clock: clock)
        var previous = ""
        for _ in 0..<1000 {
            let id = ids.next()
            let number = OrderNumber.make(orderID: id)
            #expect(number.count == 22)
            #expect(number > previous)
            #expect(OrderNumber.orderID(from: number) == id)
            previous = number
        }
        #expect(OrderNumber.make(orderID: ids.next()).hasPrefix("20261127100000123"))
        #expect(OrderNumber.orderID(from: "2026113210000012300001") == nil)
        #expect(OrderNumber.orderID(from: "abc") == nil)
    }
}
