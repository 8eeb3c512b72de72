import MallTestSupport
import Testing

@testable import Engine

@Suite("Order storage")
struct OrderStorageTests {
    static func order(_ id: UInt64, status: OrderStatus = .pendingPayment) -> Order {
        Order(id: id, userID: id % 13 + 1, activityID: 0, items: [], totalFen: Int64(id % 1_000), payAmountFen: 0,
              status: status, createdAtMs: 0, payDeadlineMs: 1_000)
    }

    @Test("random inserts, replacements and removals leave the table holding what a dictionary holds")
    func matchesDictionary() {
        var generator = SeededGenerator(seed: 7)
        var table = OrderTable()
        var reference: [UInt64: Order] = [:]
        // Ids as the engine makes them (a clock shifted left, plus a counter) and small ones.
        let base = UInt64(1_780_000_000_000) << UInt64(IDGenerator.counterBits)
        for step in 0..<20_000 {
            let id = Bool.random(using: &generator) ? base + UInt64.random(in: 0..<3_000, using: &generator)
                                                    : UInt64.random(in: 0..<3_000, using: &generator)
            switch Int.random(in: 0..<10, using: &generator) {
            case 0..<5:
                let order = Self.order(id, status: step.isMultiple(of: 2) ? .pendingPayment : .cancelled)
                #expect(table.updateValue(order, forKey: id) == reference.updateValue(order, forKey: id))
            case 5..<7:
                table[id] = nil
                reference[id] = nil
            case 7:
                table.reserveCapacity(table.count + Int.random(in: 0..<500, using: &generator))
            default:
                table[id] = Self.order(id, status: .completed)
                reference[id] = Self.order(id, status: .completed)
            }
            #expect(table[id] == reference[id])
        }
        #expect(table.count == reference.count)
        #expect(table.isEmpty == reference.isEmpty)
        #expect(table.values.sorted { $0.id < $1.id } == reference.values.sorted { $0.id < $1.id })
        #expect(table.keys.sorted() == reference.keys.sorted())
        for (id, order) in reference { #expect(table[id] == order) }
    }

    @Test("tables holding the same orders are equal whatever the order of insertion or the reserved room")
    func equality() {
        let ids = (1...2_000).map { UInt64($0) * 4_099 }
        var forward = OrderTable(), backward = OrderTable()
        backward.reserveCapacity(10_000)
        for id in ids { forward[id] = Self.order(id) }
        for id in ids.reversed() { backward[id] = Self.order(id) }
        #expect(forward == backward)
        backward[ids[0]] = Self.order(ids[0], status: .cancelled)
        #expect(forward != backward)
        backward[ids[0]] = nil
        #expect(forward != backward)
        #expect(OrderTable().isEmpty && OrderTable().count == 0 && OrderTable() == OrderTable())
    }

    @Test("one millisecond's orders share a table, and those of a few seconds spread evenly over every table")
    func spread() {
        let firstMs: UInt64 = 1_780_000_000_000
        let bits = UInt64(IDGenerator.counterBits)
        #expect(Set((0..<UInt64(1) << bits).map { OrderTable.segment(of: firstMs << bits | $0) }).count == 1)
        var counts = [Int](repeating: 0, count: OrderTable.segmentCount)
        for ms in firstMs..<(firstMs + 2_560) {
            for counter in stride(from: UInt64(3), to: 1_000, by: 10) { counts[OrderTable.segment(of: ms << bits | counter)] += 1 }
        }
        #expect(counts.allSatisfy { $0 == 1_000 }, "10 ms of 100 orders a table")
    }

    static func placed(_ orderID: UInt64, userID: UInt64, name: String, quantity: Int64 = 1) -> SeckillOrderPlaced {
        SeckillOrderPlaced(orderID: orderID, userID: userID, activityID: 9, productID: 1, skuID: 2, productName: name,
                           skuName: "黑色 256GB", quantity: quantity, unitPriceFen: 100, totalFen: 100 * quantity,
                           deadlineMs: 1_000, atMs: 0, idempotencyKey: nil)
    }

    static func itemsAddress(_ order: Order?) -> UnsafeRawPointer? {
        order?.items.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("flash-sale orders with equal items share one items array, also when replayed names are fresh copies")
    func sharedItems() throws {
        var state = UserState(shardIndex: 0, shardCount: 1)
        let name = "华为 Mate 70 Pro 手机 旗舰"
        for userID in UInt64(1)...3 {
            try state.apply(.userRegistered(UserRegistered(userID: userID, openID: "o\(userID)", unionID: nil, atMs: 0)))
        }
        // Names built anew for each record, as decoding a record does.
        for orderID in UInt64(1)...4 {
            try state.apply(.seckillOrderPlaced(Self.placed(orderID, userID: orderID % 3 + 1, name: String(decoding: Array(name.utf8), as: UTF8.self))))
        }
        try state.apply(.seckillOrderPlaced(Self.placed(5, userID: 1, name: name, quantity: 2)))
        try state.apply(.seckillOrderPlaced(Self.placed(6, userID: 2, name: "e\u{301}")))
        try state.apply(.seckillOrderPlaced(Self.placed(7, userID: 3, name: "\u{e9}")))
        let shared = try #require(Self.itemsAddress(state.orders[1]))
        #expect((2...4).allSatisfy { Self.itemsAddress(state.orders[$0]) == shared })
        #expect(Self.itemsAddress(state.orders[5]) != shared, "another quantity")
        #expect(state.orders[5]?.items.first?.quantity == 2)
        // Canonically equivalent, spelled differently: each keeps its own bytes.
        #expect(state.orders[6]?.items.first?.productName.utf8.count == 3)
        #expect(state.orders[7]?.items.first?.productName.utf8.count == 2)
        #expect(state.orders[1]?.items == [OrderItem(productID: 1, skuID: 2, productName: name, skuName: "黑色 256GB",
                                                     unitPriceFen: 100, quantity: 1)])
        // The cache is not state: a state built without sharing is equal.
        var fresh = UserState(shardIndex: 0, shardCount: 1)
        fresh.users = state.users
        fresh.orderChains = state.orderChains
        for id in UInt64(1)...7 { fresh.orders[id] = state.orders[id].map { order in
            var copy = order
            copy.items = order.items.map { $0 }
            return copy
        } }
        #expect(fresh == state)
    }

    @Test("an order is held in 112 bytes, its fields packed, its link to the user's previous order included")
    func orderLayout() {
        #expect(MemoryLayout<Order>.stride <= 112)
    }

    @Test("a cancellation time held without an optional reads back as set, Int64.min included as nil only")
    func cancellationTime() {
        var order = Order(id: 1, userID: 2, activityID: 0, items: [], totalFen: 0, payAmountFen: 0, status: .cancelled,
                          createdAtMs: 0, payDeadlineMs: 0, cancelledAtMs: -1)
        #expect(order.cancelledAtMs == -1)
        for value: Int64? in [nil, 0, .max, Int64.min + 1, 1_764_000_000_000] {
            order.cancelledAtMs = value
            #expect(order.cancelledAtMs == value)
        }
        #expect(Order(id: 1, userID: 2, activityID: 0, items: [], totalFen: 0, payAmountFen: 0, status: .pendingPayment,
                      createdAtMs: 0, payDeadlineMs: 0).cancelledAtMs == nil)
    }
}
