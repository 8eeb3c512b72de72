/// Buyers buying a flash-sale item over HTTP, many at once.
struct FlashSaleRush {
    let client: MallClient
    let activityID: String
    let skuID: String

    /// Runs one concurrent task per lane. Task i walks through `lanes[i]`,
    /// buying `quantity(i)` units at a time for each buyer until that buyer
    /// reaches the purchase limit (40902) or `attemptsPerBuyer` purchases; it
    /// stops at the first sold-out answer (40901), unexpected answer or
    /// request that gets no answer. Lanes may share buyers, so one buyer's
    /// purchases race each other.
    func run(lanes: [[Buyer]], attemptsPerBuyer: Int, quantity: @escaping @Sendable (Int) -> Int64,
             ledger: PurchaseLedger) async {
        await withTaskGroup(of: Void.self) { group in
            for (task, lane) in lanes.enumerated() {
                let units = quantity(task)
                group.addTask {
                    for buyer in lane {
                        guard await buyRepeatedly(buyer: buyer, quantity: units, attempts: attemptsPerBuyer, ledger: ledger) else { return }
                    }
                }
            }
        }
    }

    /// Returns whether the lane may go on with its next buyer.
    private func buyRepeatedly(buyer: Buyer, quantity: Int64, attempts: Int, ledger: PurchaseLedger) async -> Bool {
        for _ in 0..<attempts {
            let sentBeforeSignal = await ledger.sending()
            let response: APIResponse
            do {
                response = try await client.buy(buyer, activityID: activityID, skuID: skuID, quantity: quantity)
                await ledger.answered()
            } catch {
                await ledger.answered()
                await ledger.unanswered(sentBeforeSignal: sentBeforeSignal, cause: error)
                return false
            }
            switch (response.status, response.code) {
            case (201, 200?):
                guard let orderID = response.data["orderId"].string else {
                    await ledger.unexpected("201 without data.orderId: \(response)")
                    return false
                }
                await ledger.acknowledged(.init(orderID: orderID, buyer: buyer, quantity: quantity,
                                                status: response.data["status"].string))
            case (409, 40902?):
                await ledger.refused(code: 40902)
                return true
            case (409, 40901?):
                await ledger.refused(code: 40901)
                return false
            default:
                await ledger.unexpected("buyer \(buyer.userID) x\(quantity): \(response)")
                return false
            }
        }
        return true
    }
}

/// A flash-sale order as its buyer's order list shows it.
struct ListedOrder: Sendable, Hashable {
    var orderID: String
    var userID: String
    var quantity: Int64
    var status: String
}

extension MallClient {
    /// Every order of every buyer that belongs to `activityID`, read through the buyers' own order lists.
    func seckillOrders(of buyers: [Buyer], activityID: String) async throws -> [ListedOrder] {
        try await withThrowingTaskGroup(of: [ListedOrder].self) { group in
            for buyer in buyers {
                group.addTask {
                    try await self.orders(of: buyer)
                        .filter { $0["activityId"].string == activityID }
                        .map { order in
                            ListedOrder(orderID: order["orderId"].string ?? "?", userID: buyer.userID,
                                        quantity: order["items"].array?.reduce(0) { $0 + ($1["quantity"].int ?? 0) } ?? 0,
                                        status: order["status"].string ?? "?")
                        }
                }
            }
            var all: [ListedOrder] = []
            for try await orders in group { all += orders }
            return all
        }
    }

    /// Reads every acknowledged order back as its owner; returns one line per order that is not as acknowledged.
    func mismatches(of acks: [PurchaseLedger.Ack], activityID: String, expectedStatus: String) async -> [String] {
        await withTaskGroup(of: String?.self) { group in
            for ack in acks {
                group.addTask {
                    do {
                        let response = try await self.order(ack.orderID, as: ack.buyer)
                        let data = response.data
                        let quantity = data["items"].array?.reduce(0) { $0 + ($1["quantity"].int ?? 0) }
                        guard response.status == 200, data["orderId"].string == ack.orderID,
                              data["status"].string == expectedStatus, quantity == ack.quantity,
                              data["activityId"].string == activityID, data["userId"].string == ack.buyer.userID else {
                            return "order \(ack.orderID) of buyer \(ack.buyer.userID) x\(ack.quantity): \(response)"
                        }
                        return nil
                    } catch {
                        return "order \(ack.orderID): \(error)"
                    }
                }
            }
            var lines: [String] = []
            for await line in group { if let line { lines.append(line) } }
            return lines
        }
    }
}
