import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension EndToEnd {
    /// The PostgreSQL archive behind a real `mall serve`: it keeps up with a
    /// flash-sale rush, its reports agree with the engine, it catches up after
    /// a kill -9, and `mall archive verify` / `rebuild` find it clean.
    /// Needs MALL_DATABASE_URL (scripts/test provides it); runs in a database of its own.
    @Suite("Archive end to end", .serialized) struct ArchiveEndToEndTests {
        static let saleStock: Int64 = 200
        static let limitPerUser: Int64 = 2
        static let buyerCount = 100
        static let taskCount = 60
        static let paidCount = 80
        static let cancelledCount = 6
        static let killAfterAcks = 60

        @Test("the archive keeps up with a rush, its reports match the engine, and it verifies clean after a kill -9 and a rebuild")
        func archiveFollowsTheEngine() async throws {
            guard let serverURL = ProcessInfo.processInfo.environment["MALL_DATABASE_URL"], !serverURL.isEmpty else {
                Issue.record("MALL_DATABASE_URL is not set: run this test through scripts/test, which starts a local PostgreSQL")
                return
            }
            let database = try ScratchDatabase(serverURL: serverURL)
            let outcome: Result<Void, any Error>
            do {
                try await withMallServer(environment: ["MALL_DATABASE_URL": database.url]) { server, client in
                    try await Self.scenario(server: server, client: client)
                }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            database.drop()
            try outcome.get()
        }

        static func scenario(server: ServerProcess, client: MallClient) async throws {
            let admin = try await client.adminLogin()
            let buyers = try await client.loginBuyers(count: buyerCount, prefix: "archive")
            try #require(buyers.count == buyerCount)
            // Every task walks all buyers from its own offset, so purchases of one buyer race each other.
            let lanes = (0..<taskCount).map { task in
                let offset = task * buyerCount / taskCount
                return Array(buyers[offset...] + buyers[..<offset])
            }

            // 1. A sale sold out by concurrent buyers; some orders paid, a few cancelled.
            let firstSKU = try await client.createProduct(admin: admin, name: "archive-test kettle")
            let firstSale = try await client.createActivity(admin: admin, skuID: firstSKU, stock: saleStock, limitPerUser: limitPerUser)
            let firstLedger = PurchaseLedger()
            await FlashSaleRush(client: client, activityID: firstSale, skuID: firstSKU)
                .run(lanes: lanes, attemptsPerBuyer: Int(limitPerUser) + 1, quantity: { _ in 1 }, ledger: firstLedger)
            let rush = await firstLedger.summary()
            #expect(rush.unexpected.isEmpty, "unexpected answers: \(rush.unexpected.prefix(5))")
            #expect(rush.unanswered == 0)
            try #require(rush.ackedUnits == saleStock, "acknowledged \(rush.ackedUnits) units of \(saleStock)")
            #expect((rush.refusals[40901] ?? 0) > 0, "no buyer was told the sale sold out: \(rush.refusals)")
            let lateBuyer = try await client.loginBuyer(code: "archive-late-buyer")
            let soldOut = try await client.buy(lateBuyer, activityID: firstSale, skuID: firstSKU)
            #expect(soldOut.status == 409 && soldOut.code == 40901, "\(soldOut)")

            let toPay = Array(rush.acks.prefix(paidCount))
            let toCancel = Array(rush.acks.dropFirst(paidCount).prefix(cancelledCount))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for ack in toPay {
                    group.addTask {
                        let paid = try client.expectSuccess(
                            try await client.post("/api/v1/orders/\(ack.orderID)/pay", token: ack.buyer.token), "pay \(ack.orderID)")
                        #expect(paid["status"] == "pending_shipment", "\(paid)")
                    }
                }
                for ack in toCancel {
                    group.addTask {
                        let cancelled = try client.expectSuccess(
                            try await client.post("/api/v1/orders/\(ack.orderID)/cancel", token: ack.buyer.token), "cancel \(ack.orderID)")
                        #expect(cancelled["status"] == "cancelled", "\(cancelled)")
                    }
                }
                try await group.waitForAll()
            }
            let firstStock = try await client.seckillStock(admin: admin, activityID: firstSale)
            #expect(firstStock == SeckillStockView(remaining: Int64(cancelledCount), sold: saleStock - Int64(cancelledCount)))

            // 2. The archive catches up and its reports agree with the engine.
            try await waitArchiveCaughtUp(client)
            #expect(try await archivedOrderTotal(client, admin: admin) == Int64(rush.acks.count))
            let firstReport = try await seckillReport(client, admin: admin, activityID: firstSale)
            expectReport(firstReport, matches: firstStock, soldUnits: saleStock, orders: rush.acks.count,
                         paidOrders: paidCount, cancelledOrders: cancelledCount)

            // 3. A second sale, killed -9 in the middle of its rush: records may be left unarchived.
            let secondSKU = try await client.createProduct(admin: admin, name: "archive-test teapot")
            let secondSale = try await client.createActivity(admin: admin, skuID: secondSKU, stock: saleStock, limitPerUser: limitPerUser)
            let killLedger = PurchaseLedger(afterAcks: killAfterAcks, send: SIGKILL, to: server.pid)
            await FlashSaleRush(client: client, activityID: secondSale, skuID: secondSKU)
                .run(lanes: lanes, attemptsPerBuyer: Int(limitPerUser) + 1, quantity: { _ in 1 }, ledger: killLedger)
            let beforeKill = await killLedger.summary()
            try #require(beforeKill.signalled, "fewer than \(killAfterAcks) orders acknowledged: \(beforeKill.refusals) \(beforeKill.unexpected)")
            let killed = try await server.waitExit(timeout: .seconds(10))
            #expect(killed == ServerExit(byUncaughtSignal: true, status: SIGKILL))
            #expect(beforeKill.unexpected.isEmpty, "unexpected answers before the kill: \(beforeKill.unexpected.prefix(5))")

            // 4. Restarted on the same data and database, the archive catches up again.
            try await server.restart(client)
            let lagAfterRestart = try await waitArchiveCaughtUp(client)
            print("archive: caught up after restart (\(lagAfterRestart))")
            let secondStock = try await client.seckillStock(admin: admin, activityID: secondSale)
            let durable = try await client.seckillOrders(of: buyers, activityID: secondSale)
            #expect(Set(beforeKill.acks.map(\.orderID)).isSubset(of: Set(durable.map(\.orderID))), "acknowledged orders lost by the kill")
            #expect(durable.reduce(0) { $0 + $1.quantity } == secondStock.sold)
            #expect(try await archivedOrderTotal(client, admin: admin) == Int64(rush.acks.count + durable.count))
            let secondReport = try await seckillReport(client, admin: admin, activityID: secondSale)
            expectReport(secondReport, matches: secondStock, soldUnits: secondStock.sold, orders: durable.count,
                         paidOrders: 0, cancelledOrders: 0)
            expectReport(try await seckillReport(client, admin: admin, activityID: firstSale), matches: firstStock,
                         soldUnits: saleStock, orders: rush.acks.count, paidOrders: paidCount, cancelledOrders: cancelledCount)
            print("archive: sale 1 \(rush.acks.count) orders (\(paidCount) paid, \(cancelledCount) cancelled); "
                  + "sale 2 \(beforeKill.acks.count) acknowledged before kill -9, \(durable.count) durable")

            // 5. Stopped cleanly, the archive verifies clean, and again after a rebuild.
            server.signal(SIGTERM)
            let stopped = try await server.waitExit(timeout: .seconds(30))
            #expect(stopped == ServerExit(byUncaughtSignal: false, status: 0))
            let archiveEnvironment = server.environment
            let dataDir = server.dataDirectory.path
            let verified = try runCommand(server.binary, ["archive", "verify", "--data-dir", dataDir], environment: archiveEnvironment)
            #expect(verified.status == 0 && verified.output.contains("clean"), "archive verify: \(verified)")
            let rebuilt = try runCommand(server.binary, ["archive", "rebuild", "--data-dir", dataDir, "--yes"], environment: archiveEnvironment)
            #expect(rebuilt.status == 0, "archive rebuild: \(rebuilt)")
            let reverified = try runCommand(server.binary, ["archive", "verify", "--data-dir", dataDir], environment: archiveEnvironment)
            #expect(reverified.status == 0 && reverified.output.contains("clean"), "archive verify after rebuild: \(reverified)")
        }

        /// Polls `/readyz` (up to 30 s, every 100 ms) until the archive is on and has no lag; returns its archive object.
        @discardableResult
        static func waitArchiveCaughtUp(_ client: MallClient) async throws -> JSON {
            let clock = ContinuousClock()
            let deadline = clock.now + .seconds(30)
            var last = "no answer yet"
            while clock.now < deadline {
                do {
                    let response = try await client.get("/readyz", timeoutSeconds: 2)
                    let archive = response.data["archive"]
                    if response.status == 200, archive["enabled"] == true, archive["lagRecords"].int == 0 { return archive }
                    last = response.description
                } catch {
                    last = "\(error)"
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw MallClientError(description: "the archive did not catch up within 30 s: \(last)")
        }

        static func archivedOrderTotal(_ client: MallClient, admin: String) async throws -> Int64? {
            let page = try client.expectSuccess(try await client.get("/admin/v1/orders?pageSize=100&page=1", token: admin), "admin orders")
            #expect(page["items"].array?.count == min(Int(page["total"].int ?? 0), 100), "\(page["total"]) orders, page of \(page["items"].array?.count ?? -1)")
            return page["total"].int
        }

        static func seckillReport(_ client: MallClient, admin: String, activityID: String) async throws -> JSON {
            try client.expectSuccess(try await client.get("/admin/v1/stats/seckill/\(activityID)", token: admin), "seckill stats \(activityID)")
        }

        /// The archive's report of a sale against the engine's own figures: units in every order
        /// placed, less those cancelled (their stock went back), are what the engine counts sold.
        static func expectReport(_ report: JSON, matches stock: SeckillStockView, soldUnits: Int64, orders: Int,
                                 paidOrders: Int, cancelledOrders: Int, sourceLocation: SourceLocation = #_sourceLocation) {
            let sold = report["soldUnits"].int ?? -1
            let cancelled = report["cancelledUnits"].int ?? -1
            #expect(sold == soldUnits, "\(report)", sourceLocation: sourceLocation)
            #expect(sold - cancelled == stock.sold, "engine sold \(stock.sold): \(report)", sourceLocation: sourceLocation)
            #expect(report["remainingUnits"].int == stock.remaining, "engine remaining \(stock.remaining): \(report)",
                    sourceLocation: sourceLocation)
            #expect(report["issuedUnits"].int == saleStock, "\(report)", sourceLocation: sourceLocation)
            #expect(report["soldOrders"].int == Int64(orders), "\(report)", sourceLocation: sourceLocation)
            #expect(report["paidOrders"].int == Int64(paidOrders), "\(report)", sourceLocation: sourceLocation)
            #expect(report["paidUnits"].int == Int64(paidOrders), "\(report)", sourceLocation: sourceLocation)
            #expect(report["cancelledOrders"].int == Int64(cancelledOrders), "\(report)", sourceLocation: sourceLocation)
            #expect(cancelled == Int64(cancelledOrders), "\(report)", sourceLocation: sourceLocation)
            #expect(report["items"][0]["soldUnits"].int == sold, "\(report)", sourceLocation: sourceLocation)
        }
    }
}

// MARK: - A database of its own

/// `CREATE DATABASE e2e_archive_<hex>` on the PostgreSQL of MALL_DATABASE_URL, dropped by `drop()`.
struct ScratchDatabase {
    let serverURL: String
    let name: String
    let url: String

    init(serverURL: String) throws {
        self.serverURL = serverURL
        name = "e2e_archive_" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
        url = try Self.replacingDatabase(in: serverURL, with: name)
        let created = try runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                                     ["psql", serverURL, "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE \(name)"])
        guard created.status == 0 else {
            throw ServerProcessError(description: "psql could not create database \(name): \(created)")
        }
    }

    /// `postgres://user:pw@host:port/<name>?sslmode=disable`: only the path's database name changes.
    static func replacingDatabase(in url: String, with name: String) throws -> String {
        let query = url.firstIndex(of: "?") ?? url.endIndex
        guard let authority = url.range(of: "://"),
              let slash = url[authority.upperBound..<query].firstIndex(of: "/") else {
            throw ServerProcessError(description: "MALL_DATABASE_URL has no database name to replace: \(url)")
        }
        return String(url[..<slash]) + "/" + name + String(url[query...])
    }

    /// Drops the database (closing any connection left); a failure is recorded, not thrown.
    func drop() {
        do {
            let dropped = try runCommand(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["psql", serverURL, "-v", "ON_ERROR_STOP=1", "-c", "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"])
            if dropped.status != 0 { Issue.record("psql could not drop database \(name): \(dropped)") }
        } catch {
            Issue.record("psql could not drop database \(name): \(error)")
        }
    }
}

struct CommandResult: CustomStringConvertible {
    var status: Int32
    /// Ended by a signal (a trap is SIGILL or SIGTRAP), `status` being its number.
    var bySignal = false
    var output: String

    var description: String { "\(bySignal ? "signal" : "exit") \(status)\n\(output.suffix(4_000))" }
}

/// Runs a command to its end with MALL_* variables cleared and `environment` added; stdout and stderr together.
func runCommand(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("MALL_") }
        .merging(environment) { _, new in new }
    let pipe = Pipe()
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, bySignal: process.terminationReason == .uncaughtSignal,
                         output: String(decoding: output, as: UTF8.self))
}
