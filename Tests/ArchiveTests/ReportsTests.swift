@testable import Archive
import Engine
import Foundation
import PostgresNIO
import Testing

/// The back office's reports against a real PostgreSQL (MALL_DATABASE_URL;
/// scripts/test provides one). Each test gets its own database.
@Suite("Back-office reports from the archive")
struct ReportsTests {
    typealias F = ReportsFixture

    /// The fixture in a fresh database, with the report queries over it.
    func withShop<Result: Sendable>(_ body: (PostgresClient, ArchiveReports) async throws -> Result) async throws -> Result {
        try await ReportsDatabase.with { client async throws in
            try await F.insert(into: client)
            return try await body(client, try ArchiveReports(client: client))
        }
    }

    func ids(_ page: OrderPage) -> [String] { page.items.map(\.id) }
    func ids(_ orders: [F.Order]) -> [String] { orders.map { String($0.id) } }

    func list(_ reports: ArchiveReports, _ filter: OrderFilter = OrderFilter(), limit: Int = 100) async throws -> [String] {
        ids(try await reports.orders.list(filter: filter, page: .cursor(nil, limit: limit)))
    }

    @Test("each filter selects exactly the matching orders")
    func filters() async throws {
        try await withShop { _, reports async throws in
            let newestFirst = ids(F.all.reversed())
            #expect(try await list(reports) == newestFirst)
            #expect(try await list(reports, OrderFilter(statuses: [.pendingPayment])) == ids([F.o6]))
            #expect(try await list(reports, OrderFilter(statuses: [.completed, .cancelled])) == ids([F.o7, F.o5, F.o2, F.o1, F.o8]))
            // [from, to): the boundary order at 16:00:00.000 is in "today", the one a millisecond earlier is not.
            let today = OrderFilter(createdFromMs: reportsMs(2026, 11, 26, 16), createdToMs: reportsMs(2026, 11, 27, 16))
            #expect(try await list(reports, today) == ids([F.o7, F.o6, F.o5, F.o4]))
            #expect(try await list(reports, OrderFilter(createdToMs: reportsMs(2026, 11, 26, 16))) == ids([F.o3, F.o2, F.o1, F.o8]))
            #expect(try await list(reports, OrderFilter(orderNo: .exact(F.o3.orderNo))) == ids([F.o3]))
            #expect(try await list(reports, OrderFilter(orderNo: .exact(String(F.o3.orderNo.dropLast())))) == [])
            #expect(try await list(reports, OrderFilter(orderNo: .prefix("20261127"))) == ids([F.o7, F.o6]))
            #expect(try await list(reports, OrderFilter(orderNo: .prefix("202611"))) == newestFirst)
            #expect(try await list(reports, OrderFilter(userID: 103)) == ids([F.o5, F.o4]))
            #expect(try await list(reports, OrderFilter(userID: UInt64.max)) == [])
            #expect(try await list(reports, OrderFilter(productID: UInt64(F.pear))) == ids([F.o6, F.o3, F.o2, F.o8]))
            #expect(try await list(reports, OrderFilter(payAmountMinFen: 800, payAmountMaxFen: 1500)) == ids([F.o7, F.o6, F.o5, F.o4, F.o3]))
            #expect(try await list(reports, OrderFilter(payAmountMinFen: 2001)) == ids([F.o8]))
            let combined = OrderFilter(statuses: [.completed], userID: 104, productID: UInt64(F.tea), payAmountMinFen: 800)
            #expect(try await list(reports, combined) == ids([F.o7]))
        }
    }

    @Test("orders sort by time or amount, both ways, the id breaking ties")
    func sorting() async throws {
        try await withShop { _, reports async throws in
            let byTime = { (direction: OrderSort.Direction) in OrderFilter(sort: OrderSort(key: .createdAt, direction: direction)) }
            let byAmount = { (direction: OrderSort.Direction) in OrderFilter(sort: OrderSort(key: .payAmount, direction: direction)) }
            #expect(try await list(reports, byTime(.ascending)) == ids(F.all))
            #expect(try await list(reports, byTime(.descending)) == ids(F.all.reversed()))
            #expect(try await list(reports, byAmount(.descending)) == ids([F.o8, F.o1, F.o3, F.o7, F.o6, F.o5, F.o4, F.o2]))
            #expect(try await list(reports, byAmount(.ascending)) == ids([F.o2, F.o4, F.o5, F.o6, F.o7, F.o3, F.o1, F.o8]))
        }
    }

    /// Pages through `filter` `limit` at a time, calling `between` after each page.
    func pageThrough(_ reports: ArchiveReports, _ filter: OrderFilter, limit: Int,
                     between: (Int) async throws -> Void) async throws -> [String] {
        var seen: [String] = []
        var cursor: String?
        var pageCount = 0
        repeat {
            let page = try await reports.orders.list(filter: filter, page: .cursor(cursor, limit: limit))
            #expect(page.items.count <= limit)
            seen += ids(page)
            cursor = page.nextCursor
            pageCount += 1
            try await between(pageCount)
        } while cursor != nil && pageCount < 100
        return seen
    }

    @Test("cursor pages neither repeat nor skip an order while new orders arrive")
    func cursorStability() async throws {
        try await withShop { client, reports async throws in
            var counter: Int64 = 10
            let newOrder = { (createdMs: Int64, payFen: Int64) in
                counter += 1
                try await F.insertOrder(client, F.OrderRow(order: F.Order(id: F.id(createdMs, counter: counter)), userID: 101,
                                                           status: "pending_payment", payFen: payFen))
            }
            // Newest first: orders arriving now sort before the cursor and never show up on later pages.
            let newestFirst = try await pageThrough(reports, OrderFilter(), limit: 3) { _ in
                try await newOrder(F.nowMs + counter * 1000, 999)
            }
            #expect(newestFirst == ids(F.all.reversed()))
            // By amount: a new order can land after the cursor; every original order still comes exactly once, in order.
            let byAmount = OrderFilter(sort: OrderSort(key: .payAmount, direction: .descending))
            let seen = try await pageThrough(reports, byAmount, limit: 2) { page in
                try await newOrder(F.nowMs + counter * 1000, page == 1 ? 1800 : 100)
            }
            let originals = Set(ids(F.all))
            #expect(seen.filter(originals.contains) == ids([F.o8, F.o1, F.o3, F.o7, F.o6, F.o5, F.o4, F.o2]))
            #expect(Set(seen).count == seen.count, "no order on two pages")
            // Oldest first: new orders join at the end and are listed once.
            let oldestFirst = try await pageThrough(reports, OrderFilter(sort: OrderSort(key: .createdAt, direction: .ascending)),
                                                    limit: 4) { _ in }
            #expect(Array(oldestFirst.prefix(8)) == ids(F.all))
            #expect(Set(oldestFirst).count == oldestFirst.count)
            #expect(oldestFirst.count == Int(try await ReportsDatabase.count(client, "SELECT count(*) FROM orders")))
        }
    }

    @Test("page mode counts the total and pages with offsets")
    func pageMode() async throws {
        try await withShop { _, reports async throws in
            var pages: [OrderPage] = []
            for number in 1...4 {
                pages.append(try await reports.orders.list(filter: OrderFilter(), page: .page(number: number, size: 3)))
            }
            #expect(pages.map(\.items.count) == [3, 3, 2, 0])
            #expect(pages.allSatisfy { $0.total == 8 && $0.pageSize == 3 })
            #expect(pages.map(\.page) == [1, 2, 3, 4])
            #expect(pages.flatMap { ids($0) } == ids(F.all.reversed()))
            #expect(pages[0].nextCursor != nil && pages[2].nextCursor == nil)
            // The cursor a page hands out continues exactly after it.
            let next = try await reports.orders.list(filter: OrderFilter(), page: .cursor(pages[0].nextCursor, limit: 3))
            #expect(ids(next) == ids(pages[1]))
            let completed = try await reports.orders.list(filter: OrderFilter(statuses: [.completed]), page: .page(number: 1, size: 2))
            #expect(completed.total == 3 && ids(completed) == ids([F.o7, F.o1]))
            let json = String(decoding: try JSONEncoder().encode(completed), as: UTF8.self)
            #expect(json.contains("\"total\":3") && json.contains("\"nextCursor\":\""))
            let cursorJSON = String(decoding: try JSONEncoder().encode(try await reports.orders.list(
                filter: OrderFilter(statuses: [.pendingPayment]), page: .cursor(nil, limit: 5))), as: UTF8.self)
            #expect(cursorJSON.contains("\"nextCursor\":null") && !cursorJSON.contains("\"total\":"))
        }
    }

    @Test("order detail holds lines, payments and status history")
    func detail() async throws {
        try await withShop { _, reports async throws in
            let detail = try #require(try await reports.orders.detail(id: UInt64(F.o3.id)))
            #expect(detail.order.orderNo == F.o3.orderNo)
            #expect(detail.order.status == "pending_shipment" && detail.order.payAmountFen == 1500 && detail.order.itemQuantity == 2)
            #expect(detail.order.createdAt == "2026-11-26T15:59:59.999Z" && detail.order.paidAt == "2026-11-26T16:00:30.000Z")
            #expect(detail.order.productSummary == "Apple 苹果 Red ×1; Pear Big ×1")
            #expect(detail.items.map(\.lineNo) == [1, 2])
            #expect(detail.items[0].spec == ["颜色": "红"] && detail.items[1].spec == [:])
            #expect(detail.items.map(\.amountFen) == [1000, 500])
            #expect(detail.payments.map(\.amountFen) == [1500] && detail.payments[0].transactionId.hasPrefix("wx-"))
            #expect(detail.statusHistory.map(\.toStatus) == ["pending_payment", "pending_shipment"])
            #expect(detail.statusHistory[0].fromStatus == nil && detail.statusHistory[1].fromStatus == "pending_payment")
            #expect(try await reports.orders.detail(id: 42) == nil)
            #expect(try await reports.orders.detail(id: UInt64.max) == nil)
            let sale = try #require(try await reports.orders.detail(id: UInt64(F.o5.id)))
            #expect(sale.order.activityId == String(F.activity) && sale.order.cancelReason == "timeout" && sale.payments.isEmpty)
        }
    }

    @Test("overview counts today and yesterday in Shanghai time")
    func overview() async throws {
        try await withShop { client, reports async throws in
            let overview = try await reports.stats.overview(nowMs: F.nowMs)
            #expect(overview.timeZone == "Asia/Shanghai")
            // Today, Nov 27 local: o4 o5 o6 o7 created; o5 cancelled; o4 o7 paid; GMV o4+o6+o7;
            // received: o3's payment (00:00:30 local) + o4 + o7; users u3, u4.
            let today = overview.today
            #expect(today.date == "2026-11-27" && today.from == "2026-11-26T16:00:00.000Z" && today.to == "2026-11-27T16:00:00.000Z")
            #expect(today.orders == 4 && today.cancelledOrders == 1 && today.paidOrders == 2)
            #expect(today.gmvFen == 2400 && today.paidAmountFen == 3100 && today.newUsers == 2)
            #expect(today.averageOrderValueFen == 800 && today.conversionRate == 0.5)
            // Yesterday, Nov 26 local: o1 o2 o3 (15:59:59.999Z); o2 cancelled; o1 o3 paid; received only o1's.
            let yesterday = overview.yesterday
            #expect(yesterday.date == "2026-11-26" && yesterday.from == "2026-11-25T16:00:00.000Z")
            #expect(yesterday.orders == 3 && yesterday.cancelledOrders == 1 && yesterday.paidOrders == 2)
            #expect(yesterday.gmvFen == 3500 && yesterday.paidAmountFen == 2000 && yesterday.newUsers == 1)
            #expect(yesterday.averageOrderValueFen == 1750 && yesterday.conversionRate == 0.6667)
            // The same moment in UTC splits the days elsewhere: yesterday (Nov 26 UTC) holds o2 o3 o4 o5.
            let utc = try await ArchiveReports(client: client, timeZone: "UTC").stats.overview(nowMs: F.nowMs)
            #expect(utc.today.date == "2026-11-27" && utc.today.orders == 2 && utc.today.newUsers == 1)
            #expect(utc.yesterday.orders == 4 && utc.yesterday.gmvFen == 1500 + 800)
        }
    }

    @Test("sales series is zero-filled per day and per hour")
    func salesSeries() async throws {
        try await withShop { _, reports async throws in
            let days = try await reports.stats.sales(fromMs: reportsMs(2026, 11, 24, 16), toMs: reportsMs(2026, 11, 27, 16), granularity: .day)
            #expect(days.points.map(\.label) == ["2026-11-25", "2026-11-26", "2026-11-27"])
            #expect(days.points.map(\.start) == ["2026-11-24T16:00:00.000Z", "2026-11-25T16:00:00.000Z", "2026-11-26T16:00:00.000Z"])
            #expect(days.points.map(\.orders) == [0, 3, 4])
            #expect(days.points.map(\.paidOrders) == [0, 2, 2])
            #expect(days.points.map(\.gmvFen) == [0, 3500, 2400])
            #expect(days.points.map(\.paidAmountFen) == [0, 2000, 3100])
            let hours = try await reports.stats.sales(fromMs: reportsMs(2026, 11, 27, 2), toMs: reportsMs(2026, 11, 27, 6), granularity: .hour)
            #expect(hours.points.map(\.label) == ["2026-11-27 10:00", "2026-11-27 11:00", "2026-11-27 12:00", "2026-11-27 13:00"])
            #expect(hours.points.map(\.orders) == [0, 2, 0, 0])
            #expect(hours.points.map(\.gmvFen) == [0, 1600, 0, 0])
            #expect(hours.points.map(\.paidAmountFen) == [0, 800, 0, 0])
            await #expect(throws: ReportError.self) {
                try await reports.stats.sales(fromMs: 0, toMs: 400 * 86_400_000, granularity: .hour)
            }
        }
    }

    @Test("top products rank by quantity and by amount among paid orders")
    func topProducts() async throws {
        try await withShop { _, reports async throws in
            // Paid, not cancelled: o8 pear ×5, o1 apple ×2, o3 apple + pear, o4 apple @800, o7 formula + tea ×2.
            let byQuantity = try await reports.stats.topProducts(by: .quantity, limit: 10)
            #expect(byQuantity.items.map(\.productId) == [F.pear, F.apple, F.tea, F.formula].map { String($0) })
            #expect(byQuantity.items.map(\.quantity) == [6, 4, 2, 1])
            #expect(byQuantity.items.map(\.amountFen) == [3000, 3800, 500, 300])
            #expect(byQuantity.items.map(\.orders) == [2, 3, 1, 1])
            #expect(byQuantity.items.map(\.rank) == [1, 2, 3, 4] && byQuantity.items[1].productName == "Apple 苹果")
            let byAmount = try await reports.stats.topProducts(by: .amount, limit: 2)
            #expect(byAmount.items.map(\.productId) == [F.apple, F.pear].map { String($0) })
            let today = try await reports.stats.topProducts(by: .amount, limit: 10, fromMs: reportsMs(2026, 11, 26, 16), toMs: reportsMs(2026, 11, 27, 16))
            #expect(today.items.map(\.productId) == [F.apple, F.tea, F.formula].map { String($0) })
        }
    }

    @Test("flash-sale report: issued, sold, paid, cancelled by timeout, paid rate")
    func seckillReport() async throws {
        try await withShop { _, reports async throws in
            let report = try #require(try await reports.stats.seckillReport(activityID: UInt64(F.activity)))
            #expect(report.name == "Double 12 双十二" && report.startTime == "2026-11-26T16:00:00.000Z")
            #expect(report.issuedUnits == 15 && report.remainingUnits == 12)
            #expect(report.soldUnits == 4 && report.soldOrders == 3)
            #expect(report.paidUnits == 1 && report.paidOrders == 1 && report.paidAmountFen == 800)
            #expect(report.cancelledUnits == 1 && report.cancelledOrders == 1)
            #expect(report.timeoutCancelledUnits == 1 && report.timeoutCancelledOrders == 1)
            #expect(report.paidRate == 0.25)
            #expect(report.issuedUnits == report.remainingUnits + report.soldUnits - report.cancelledUnits)
            #expect(report.items.map(\.skuId) == [F.appleSKU, F.pearSKU].map { String($0) })
            let apple = report.items[0]
            #expect(apple.issuedUnits == 10 && apple.remainingUnits == 9 && apple.soldUnits == 2 && apple.paidUnits == 1)
            #expect(apple.timeoutCancelledUnits == 1 && apple.paidRate == 0.5 && apple.productName == "Apple 苹果")
            let pear = report.items[1]
            #expect(pear.soldUnits == 2 && pear.paidUnits == 0 && pear.paidRate == 0 && pear.seckillPriceFen == 400)
            #expect(try await reports.stats.seckillReport(activityID: 9) == nil)
        }
    }

    /// Every chunk of an export, concatenated.
    func exportText(_ export: OrderExport) async throws -> (text: String, chunks: Int) {
        var bytes: [UInt8] = []
        var chunks = 0
        for try await chunk in export {
            bytes += chunk.readableBytesView
            chunks += 1
        }
        return (String(decoding: bytes, as: UTF8.self), chunks)
    }

    @Test("CSV export: BOM, bilingual header, quoting and formula neutralisation")
    func csvExport() async throws {
        try await withShop { _, reports async throws in
            var bytes: [UInt8] = []
            for try await chunk in try reports.export(filter: OrderFilter()) { bytes += chunk.readableBytesView }
            #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF], "UTF-8 byte order mark for Excel")
            let text = String(decoding: bytes.dropFirst(3), as: UTF8.self)
            #expect(text.hasPrefix("订单号 order_no,订单ID order_id,用户ID user_id,状态 status,"))
            let rows = reportsParseCSV(text[...])
            #expect(rows.count == 9 && rows.allSatisfy { $0.count == rows[0].count })
            #expect(rows.dropFirst().map { $0[1] } == ids(F.all.reversed()))
            let o7 = rows[1]
            // The formula-named product starts the cell: it gets a leading quote; commas, quotes and newlines survive quoting.
            #expect(o7[5] == "'" + F.formulaName + " Std ×1; " + F.teaName + " Cup ×2")
            #expect(o7[15] == "'=1+2")
            #expect(o7[10] == "800" && o7[0] == F.o7.orderNo && o7[16] == "2026-11-27T03:30:00.000Z")
            #expect(text.contains("\"'=HYPERLINK(\"\"evil\"\") Std ×1; Tea, \"\"Green\"\"\nLeaf Cup ×2\""))
            // The filter applies to the export too.
            let pending = try await exportText(try reports.export(filter: OrderFilter(statuses: [.pendingPayment])))
            #expect(reportsParseCSV(pending.text.dropFirst()).count == 2)
        }
    }

    @Test("CSV export streams 5,000 orders in keyset batches")
    func largeExport() async throws {
        try await ReportsDatabase.with { client async throws in
            try await F.insert(into: client)
            try await client.query("""
                INSERT INTO orders (id, order_no, user_id, status, total_amount_fen, pay_amount_fen, pay_deadline, created_at, updated_at)
                SELECT 1000000 + n, 'bulk' || lpad(n::text, 6, '0'), 101, 'pending_payment', n, n,
                       timestamptz '2026-01-01' + n * interval '1 second', timestamptz '2026-01-01' + (n / 3) * interval '1 second', now()
                  FROM generate_series(1, 4992) AS n
                """, logger: ReportsDatabase.logger)
            let reports = try ArchiveReports(client: client)
            let export = try OrderExport(queries: reports.orders, filter: OrderFilter(), batchRows: 1000)
            var rowCount = 0
            var chunks = 0
            var lastChunkRows = 0
            var orderNumbers = Set<String>()
            for try await chunk in export {
                chunks += 1
                let text = String(decoding: chunk.readableBytesView, as: UTF8.self)
                let rows = reportsParseCSV(text[...])
                if chunks == 1 { #expect(rows.count == 1); continue }
                #expect(rows.count <= 1000, "one batch per chunk: memory stays bounded")
                rowCount += rows.count
                lastChunkRows = rows.count
                for row in rows { orderNumbers.insert(row[0]) }
            }
            #expect(rowCount == 5000 && orderNumbers.count == 5000)
            #expect(chunks == 1 + 5 && lastChunkRows == 1000)
        }
    }

    static let injectionPayloads = [
        "'", "''", "' OR '1'='1", "' OR 1=1 --", "'; DROP TABLE orders; --", "1; DELETE FROM orders", "1 -- ",
        "/* comment */", "*/ OR 1=1 /*", "\\'; TRUNCATE users; --", "\"; DROP TABLE users; --", "%", "_", "%' OR '%'='",
        "2026') OR ('1'='1", "$1", "\u{0}", "😀'--",
    ]

    @Test("quote, comment and ; payloads in every text filter find nothing and leave the tables intact")
    func injection() async throws {
        try await withShop { client, reports async throws in
            for payload in Self.injectionPayloads {
                for match in [OrderNumberMatch.exact(payload), .prefix(payload)] {
                    let filter = OrderFilter(orderNo: match)
                    // Empty results or a refusal (ReportError, a 400 over HTTP) are both fine; an SQL error is not.
                    do {
                        #expect(try await list(reports, filter) == [], "orderNo \(match)")
                        let page = try await reports.orders.list(filter: filter, page: .page(number: 1, size: 10))
                        #expect(page.total == 0 && page.items.isEmpty)
                        #expect(reportsParseCSV(try await exportText(try reports.export(filter: filter)).text.dropFirst()).count == 1)
                    } catch is ReportError {
                        continue
                    } catch {
                        Issue.record("orderNo payload \(payload.debugDescription) failed: \(String(reflecting: error))")
                    }
                }
                for sort in [OrderSort(), OrderSort(key: .payAmount, direction: .ascending)] {
                    await #expect(throws: ReportError.self, "cursor \(payload.debugDescription)") {
                        try await reports.orders.list(filter: OrderFilter(sort: sort), page: .cursor(payload, limit: 5))
                    }
                }
                let forged = Data("v1:createdAt:desc:1) OR (1=1; DROP TABLE orders; --:\(payload)".utf8).base64EncodedString()
                    .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
                await #expect(throws: ReportError.self) {
                    try await reports.orders.list(filter: OrderFilter(), page: .cursor(forged, limit: 5))
                }
                #expect(throws: ReportError.self) { try StatsQueries(client: client, timeZone: payload) }
            }
            #expect(try await ReportsDatabase.count(client, "SELECT count(*) FROM orders") == 8)
            #expect(try await ReportsDatabase.count(client, "SELECT count(*) FROM users") == 4)
            #expect(try await ReportsDatabase.count(client, "SELECT count(*) FROM order_items") == 10)
            #expect(try await list(reports) == ids(F.all.reversed()))
        }
    }

    @Test("bad arguments are refused with the field named")
    func badArguments() async throws {
        try await withShop { _, reports async throws in
            func field(_ body: () async throws -> Void) async -> String? {
                do {
                    try await body()
                    return nil
                } catch let error as ReportError {
                    switch error {
                    case .invalidArgument(let field, _): return field
                    case .invalidCursor: return "cursor"
                    case .databaseUnavailable: return "databaseUnavailable"
                    case .unexpectedResult: return "unexpectedResult"
                    }
                } catch {
                    return "unexpected \(error)"
                }
            }
            let orders = reports.orders
            #expect(await field { _ = try await orders.list(filter: OrderFilter(), page: .cursor(nil, limit: 0)) } == "limit")
            #expect(await field { _ = try await orders.list(filter: OrderFilter(), page: .cursor(nil, limit: 101)) } == "limit")
            #expect(await field { _ = try await orders.list(filter: OrderFilter(), page: .page(number: 0, size: 10)) } == "page")
            #expect(await field { _ = try await orders.list(filter: OrderFilter(), page: .page(number: 1, size: 500)) } == "pageSize")
            #expect(await field { _ = try await orders.list(filter: OrderFilter(), page: .page(number: 1_000_000, size: 100)) } == "page")
            #expect(await field { _ = try await orders.list(filter: OrderFilter(createdFromMs: 10, createdToMs: 5), page: .cursor(nil, limit: 5)) } == "to")
            #expect(await field { _ = try await orders.list(filter: OrderFilter(payAmountMinFen: 10, payAmountMaxFen: 5), page: .cursor(nil, limit: 5)) } == "maxAmountFen")
            #expect(await field { _ = try await orders.list(filter: OrderFilter(orderNo: .prefix("")), page: .cursor(nil, limit: 5)) } == "orderNo")
            #expect(await field { _ = try reports.export(filter: OrderFilter(payAmountMinFen: 10, payAmountMaxFen: 5)) } == "maxAmountFen")
            // A cursor belongs to its sort.
            let page = try await orders.list(filter: OrderFilter(), page: .cursor(nil, limit: 2))
            let byAmount = OrderFilter(sort: OrderSort(key: .payAmount, direction: .descending))
            #expect(await field { _ = try await orders.list(filter: byAmount, page: .cursor(page.nextCursor, limit: 2)) } == "cursor")
            #expect(await field { _ = try await reports.stats.topProducts(by: .amount, limit: 0) } == "limit")
            #expect(await field { _ = try await reports.stats.sales(fromMs: 10, toMs: 10, granularity: .day) } == "to")
        }
    }

    @Test("CSV cells are quoted and neutralised as spreadsheets need")
    func csvCells() {
        #expect(CSVField.text("plain").encoded == "plain")
        #expect(CSVField.text(nil).encoded == "")
        #expect(CSVField.text("a,b").encoded == "\"a,b\"")
        #expect(CSVField.text("say \"hi\"").encoded == "\"say \"\"hi\"\"\"")
        #expect(CSVField.text("line\r\nbreak").encoded == "\"line\r\nbreak\"")
        for trigger in ["=", "+", "-", "@", "\t", "\r"] {
            #expect(CSVField.text(trigger + "SUM(A1)").encoded.hasPrefix("'") || CSVField.text(trigger + "SUM(A1)").encoded.hasPrefix("\"'"))
        }
        #expect(CSVField.text("=1,2").encoded == "\"'=1,2\"")
        #expect(CSVField.text("a=1").encoded == "a=1")
        #expect(CSVField.number(-5).encoded == "-5")
    }
}
