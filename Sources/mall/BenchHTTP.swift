import ArgumentParser
import AsyncHTTPClient
import Engine
import Foundation
import Hummingbird
import Logging
import Net
import NIOCore
import NIOFoundationEssentialsCompat
import NIOHTTP1
import WAL

/// The ceiling the HTTP benchmark is compared with: Hummingbird answering a
/// constant, in the same build, on the same machine.
///
/// `--shape purchase` and `--durable-dir` take it, one step at a time, towards what a flash-sale
/// purchase must do at the least, with no mall code but the edge layer that gives every reply
/// its security headers: read the purchase's request body and answer with a purchase's status,
/// headers and body size; then, before answering, log
/// one purchase-sized record to a WAL (fsync always) and wait until it is durable, in batches
/// as the engine waits for purchases (`BatchedDurableWaits`). Driven by the
/// same wrk script and request bytes as the flash sale, these are the floors its ratio to the
/// hello world is made of (`scripts/bench http-floor`).
struct HelloServer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hello-server", abstract: "Serve a constant JSON reply on every route (the HTTP ceiling).")
    @Option var host = "127.0.0.1"
    @Option var port = 8081
    @Option(help: "hello: a 73-byte reply; purchase: the request body is read, and the reply has a purchase's status, headers and size.")
    var shape: Shape = .hello
    @Option(help: "Before each reply, log a 120-byte record to a WAL in this directory (fsync always) and wait until it is durable, batched as the engine batches purchases.")
    var durableDir: String?

    enum Shape: String, ExpressibleByArgument { case hello, purchase }

    func run() async throws {
        let router = Router()
        // A purchase's security (and sandbox) headers come from the server's own edge layer.
        if shape == .purchase { router.middlewares.add(EdgeMiddleware(sandbox: true)) }
        let reply = try makeReply()
        router.get("/", use: reply)
        router.post("/", use: reply)
        router.get("**", use: reply)
        router.post("**", use: reply)
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                              logger: Logger(label: "hello"))
        try await app.runService()
    }

    private func makeReply() throws -> @Sendable (Request, BasicRequestContext) async throws -> Response {
        let durable = try durableDir.map { directory in
            BatchedDurableWaits(wal: try WALWriter.open(WALConfiguration(directory: directory)).0, recordBytes: 120)
        }
        switch shape {
        case .hello:
            let body = ByteBuffer(string: #"{"code":200,"message":"success","data":{"hello":"world"},"timestamp":0}"#)
            return { _, _ in
                try await durable?.wait()
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: body))
            }
        case .purchase:
            let body = ByteBuffer(string: Self.purchaseReply)
            return { request, _ in
                _ = try await request.body.collect(upTo: 4096)
                try await durable?.wait()
                return Response(status: .created, headers: [.contentType: "application/json; charset=utf-8"],
                                body: .init(byteBuffer: body))
            }
        }
    }

    /// A flash-sale purchase's reply as the server sends it (519 bytes).
    static let purchaseReply = #"{"code":200,"message":"success","data":{"id":"117729289432137728","orderId":"117729289432137728","#
        + #""orderNo":"2026120417463392300000","userId":"117729289431089152","status":"pending_payment","#
        + #""activityId":"117729289430958080","items":[{"productId":"117729289430630400","skuId":"117729289430630401","#
        + #""productName":"bench product","skuName":"bench sku","unitPriceFen":50,"quantity":1}],"totalFen":50,"#
        + #""payAmountFen":50,"createdAt":"2026-12-04T17:46:33.923Z","payDeadline":"2026-12-04T18:01:33.923Z"},"#
        + #""timestamp":1796406393924}"#
}

/// Prepares a running server for the wrk flash-sale benchmark: a product, a
/// flash sale with enough stock, and N logged-in buyers whose tokens go to a file.
struct HTTPSetup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-setup",
        abstract: "Create a flash sale and N buyers on a running server; print ACTIVITY_ID, SKU_ID and TOKENS_FILE.")
    @Option var url = "http://127.0.0.1:8080"
    @Option var buyers = 1000
    @Option var stock = 10_000_000
    @Option var tokensFile = "/tmp/mall-bench-tokens.txt"
    @Option var adminUsername = Environment.string("MALL_ADMIN_USERNAME") ?? "admin"
    @Option var adminPassword = Environment.string("MALL_ADMIN_PASSWORD") ?? "admin123456"

    func validate() throws {
        guard buyers >= 1 else { throw ValidationError("--buyers must be at least 1") }
        guard (1...MallLimits.stockMax).contains(Int64(stock)) else {
            throw ValidationError("--stock must be 1 to \(MallLimits.stockMax) (MallLimits.stockMax)")
        }
    }

    func run() async throws {
        let client = HTTPClient.shared
        let admin = try await post(client, "/admin/v1/auth/login", ["username": adminUsername, "password": adminPassword])
        let adminToken = try string(admin, "accessToken")
        let product = try await post(client, "/admin/v1/products", [
            "name": "bench product", "skus": [["name": "bench sku", "spec": [:] as [String: String], "priceFen": 100, "stock": stock]],
        ], token: adminToken)
        guard let skus = product["skus"] as? [[String: Any]], let skuID = skus.first?["id"] as? String else {
            throw ValidationError("unexpected product response: \(product)")
        }
        let now = Date()
        let sale = try await post(client, "/admin/v1/seckill/activities", [
            "name": "bench sale",
            "startTime": now.addingTimeInterval(-60).ISO8601Format(), "endTime": now.addingTimeInterval(86_400).ISO8601Format(),
            "items": [["skuId": skuID, "seckillPriceFen": 50, "stock": stock,
                       "limitPerUser": min(Int64(stock), MallLimits.limitPerUserMax)]],
        ], token: adminToken)
        let activityID = try string(sale, "id")
        var tokens: [String] = []
        for index in 0..<buyers {
            let login = try await post(client, "/api/v1/auth/wechat/login", ["code": "bench-buyer-\(index)"])
            tokens.append(try string(login, "accessToken"))
        }
        try tokens.joined(separator: "\n").appending("\n").write(toFile: tokensFile, atomically: true, encoding: .utf8)
        print("ACTIVITY_ID=\(activityID)")
        print("SKU_ID=\(skuID)")
        print("TOKENS_FILE=\(tokensFile)")
    }

    private func post(_ client: HTTPClient, _ path: String, _ body: [String: Any], token: String? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.body = .bytes(try JSONSerialization.data(withJSONObject: body))
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard let envelope = try JSONSerialization.jsonObject(with: Data(buffer: bytes)) as? [String: Any],
              (200..<300).contains(Int(response.status.code)), let data = envelope["data"] as? [String: Any] else {
            throw ValidationError("\(path) answered \(response.status): \(String(buffer: bytes))")
        }
        return data
    }

    private func string(_ object: [String: Any], _ key: String) throws -> String {
        guard let value = object[key] as? String else { throw ValidationError("missing \(key) in \(object)") }
        return value
    }
}
