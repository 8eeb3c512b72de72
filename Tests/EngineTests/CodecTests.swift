@testable import Engine
import MallTestSupport
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
        .sessionOpened(SessionOpened(subject: .user(2), familyID: 20, ip: "10.0.0.1", atMs: 15, expiresAtMs: 1_000)),
        .sessionRefreshed(SessionRefreshed(subject: .user(2), familyID: 20, generation: 1, atMs: 16, expiresAtMs: 2_000)),
        .sessionsRevoked(SessionsRevoked(subject: .admin(1), familyIDs: [21, 22], reason: .passwordChanged, atMs: 17)),
        .sessionsRevoked(SessionsRevoked(subject: .user(2), familyIDs: [], reason: .refreshReuse, atMs: 17)),
        .userProfileChanged(UserProfileChanged(userID: 2, profile: UserProfile(
            nickname: "小明", avatarURL: "https://example.invalid/a.png", gender: .female, phone: "13800138000",
            maskedRealName: "张*", maskedIDNumber: "1101**********1234"), atMs: 18)),
        .userStatusChanged(UserStatusChanged(userID: 3, banned: true, reason: "刷单", adminID: 1, atMs: 19)),
        .userAddressesChanged(UserAddressesChanged(userID: 2, addresses: [
            Address(id: 30, name: "张三", phone: "13800138000", provinceCode: "440000", province: "广东省", cityCode: "440300",
                    city: "深圳市", districtCode: "440305", district: "南山区", detail: "科技园路1号", isDefault: true,
                    createdAtMs: 20, updatedAtMs: 21),
        ], atMs: 21)),
        .adminChanged(AdminChanged(account: AdminAccount(id: 1, username: "admin", passwordHash: "$2b$x", role: "admin",
                                                         permissions: ["order:refund"], enabled: false, deleted: false,
                                                         createdAtMs: 5), revokesSessions: true, byAdminID: 9, atMs: 22)),
        .adminLockedOut(AdminLockedOut(adminID: 1, untilMs: 900, atMs: 23)),
        .auditRecorded(AuditRecorded(entry: AuditEntry(id: 40, adminID: 1, username: "admin", action: "POST /admin/v1/admins",
                                                       target: "/admin/v1/admins", ip: "::1", resultCode: 40301, atMs: 24))),
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
    func orderNumbers() throws {
        let clock = ManualClock(nowMs: 1_795_773_600_123)
        let ids = IDGenerator(clock: clock)
        var previous = ""
        for _ in 0..<1000 {
            let id = try #require(ids.next())
            let number = OrderNumber.make(orderID: id)
            #expect(number.count == 22)
            #expect(number > previous)
            #expect(OrderNumber.orderID(from: number) == id)
            previous = number
        }
        #expect(OrderNumber.make(orderID: try #require(ids.next())).hasPrefix("20261127100000123"))
        #expect(OrderNumber.orderID(from: "2026113210000012300001") == nil)
        #expect(OrderNumber.orderID(from: "abc") == nil)
    }

    /// The padding these strings were first built with, one small string per field.
    static func concatenated(_ civil: CivilTime, iso: Bool) -> String {
        let p = OrderNumber.pad
        return iso
            ? p(civil.year, 4) + "-" + p(civil.month, 2) + "-" + p(civil.day, 2) + "T" + p(civil.hour, 2) + ":"
                + p(civil.minute, 2) + ":" + p(civil.second, 2) + "." + p(civil.millisecond, 3) + "Z"
            : p(civil.year, 4) + p(civil.month, 2) + p(civil.day, 2) + p(civil.hour, 2) + p(civil.minute, 2)
                + p(civil.second, 2) + p(civil.millisecond, 3)
    }

    @Test("API times and order numbers are written in one string exactly as field-by-field padding wrote them, absurd years too")
    func timeDigitsMatchPadding() {
        #expect(CivilTime(epochMs: 1_795_773_600_123).iso8601 == "2026-11-27T10:00:00.123Z")
        #expect(CivilTime(epochMs: 0).compactDigits == "19700101000000000")
        var generator = SeededGenerator(seed: 0xC1_71_7E)
        let extremes: [Int64] = [0, -1, 253_402_300_799_999, 253_402_300_800_000, -62_167_219_200_000, -62_167_219_200_001,
                                 Int64.max / 2, Int64.min / 2]
        let times = extremes + (0..<2_000).map { _ in Int64.random(in: -100_000_000_000_000...400_000_000_000_000, using: &generator) }
        for ms in times {
            let civil = CivilTime(epochMs: ms)
            #expect(civil.iso8601 == Self.concatenated(civil, iso: true), "\(ms)")
            #expect(civil.compactDigits == Self.concatenated(civil, iso: false), "\(ms)")
        }
        let id = UInt64(1_795_773_600_123) << UInt64(IDGenerator.counterBits) | 42
        #expect(OrderNumber.make(orderID: id) == "20261127100000123" + "00042")
    }
}
