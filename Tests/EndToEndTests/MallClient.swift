import AsyncHTTPClient
import Foundation
// AsyncHTTPClient's async API speaks NIO types (TimeAmount, ByteBuffer, HTTPMethod);
// both modules come with AsyncHTTPClient.
import NIOCore
import NIOHTTP1
import Synchronization

/// One HTTP answer from the mall: the status line and the envelope
/// `{"code","message","data","timestamp"}` (or the raw body when it is not JSON).
struct APIResponse: Sendable, CustomStringConvertible {
    var status: Int
    var body: String
    var json: JSON?
    var headers: HTTPHeaders = [:]

    var code: Int64? { json?["code"].int }
    var message: String? { json?["message"].string }
    var data: JSON { json?["data"] ?? .null }

    var description: String { "HTTP \(status) \(body.prefix(600))" }
}

struct MallClientError: Error, CustomStringConvertible {
    var description: String
}

/// A buyer as the tests see one: the access token and the user id.
struct Buyer: Sendable, Hashable {
    var code: String
    var token: String
    var userID: String
}

/// A flash-sale item as the back office sees it.
struct SeckillStockView: Sendable, Equatable {
    var remaining: Int64
    var sold: Int64
}

/// Thin JSON-over-HTTP client for one server; `baseURL` moves when the server
/// restarts on a new port, so concurrent tasks can share one client.
final class MallClient: Sendable {
    let http: HTTPClient
    private let base: Mutex<String>

    init(http: HTTPClient, baseURL: String) {
        self.http = http
        base = Mutex(baseURL)
    }

    var baseURL: String {
        get { base.withLock { $0 } }
        set { base.withLock { $0 = newValue } }
    }

    static let requestTimeout = TimeAmount.seconds(20)

    func send(_ method: HTTPMethod, _ path: String, token: String? = nil, body: JSON? = nil,
              headers: [(String, String)] = [], timeout: TimeAmount = MallClient.requestTimeout) async throws -> APIResponse {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        }
        let response = try await http.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 4 << 20)
        let bytes = Data(buffer.readableBytesView)
        return APIResponse(status: Int(response.status.code), body: String(decoding: bytes, as: UTF8.self),
                           json: try? JSONDecoder().decode(JSON.self, from: bytes), headers: response.headers)
    }

    func get(_ path: String, token: String? = nil, timeoutSeconds: Int64? = nil) async throws -> APIResponse {
        try await send(.GET, path, token: token, timeout: timeoutSeconds.map(TimeAmount.seconds) ?? MallClient.requestTimeout)
    }

    func post(_ path: String, token: String? = nil, body: JSON = [:]) async throws -> APIResponse {
        try await send(.POST, path, token: token, body: body)
    }

    /// Returns `data` of a response that must have succeeded with `status`.
    @discardableResult
    func expectSuccess(_ response: APIResponse, status: Int = 200, _ what: String) throws -> JSON {
        guard response.status == status, response.code == 200 else {
            throw MallClientError(description: "\(what): expected HTTP \(status) with code 200, got \(response)")
        }
        return response.data
    }
}

// MARK: - The calls the scenarios make

extension MallClient {
    func adminLogin(password: String = ServerProcess.adminPassword) async throws -> String {
        let response = try await post("/admin/v1/auth/login",
                                      body: ["username": .string(ServerProcess.adminUsername), "password": .string(password)])
        guard let token = try expectSuccess(response, "admin login")["accessToken"].string else {
            throw MallClientError(description: "admin login: no accessToken in \(response)")
        }
        return token
    }

    func loginBuyer(code: String) async throws -> Buyer {
        let response = try await post("/api/v1/auth/wechat/login", body: ["code": .string(code)])
        let data = try expectSuccess(response, "WeChat login")
        guard let token = data["accessToken"].string, let userID = data["user"]["id"].string else {
            throw MallClientError(description: "WeChat login: no accessToken or user.id in \(response)")
        }
        return Buyer(code: code, token: token, userID: userID)
    }

    /// Logs in `count` distinct sandbox buyers, a bounded number at a time.
    func loginBuyers(count: Int, prefix: String) async throws -> [Buyer] {
        try await withThrowingTaskGroup(of: (Int, Buyer).self) { group in
            var buyers = [Buyer?](repeating: nil, count: count)
            var next = 0
            func addNext(_ group: inout ThrowingTaskGroup<(Int, Buyer), any Error>) {
                let index = next
                next += 1
                group.addTask { (index, try await self.loginBuyer(code: "\(prefix)-buyer-\(index)")) }
            }
            while next < min(count, 64) { addNext(&group) }
            while let (index, buyer) = try await group.next() {
                buyers[index] = buyer
                if next < count { addNext(&group) }
            }
            return buyers.compactMap { $0 }
        }
    }

    /// Creates a product with one SKU and returns the SKU id.
    func createProduct(admin: String, name: String, priceFen: Int64 = 9_900, stock: Int64 = 1_000_000) async throws -> String {
        let response = try await post("/admin/v1/products", token: admin, body: [
            "name": .string(name),
            "skus": [["name": "default", "spec": ["colour": "red"], "priceFen": .int(priceFen), "stock": .int(stock)]],
        ])
        guard let skuID = try expectSuccess(response, status: 201, "create product")["skus"][0]["id"].string else {
            throw MallClientError(description: "create product: no skus[0].id in \(response)")
        }
        return skuID
    }

    /// Creates a flash sale for one SKU and returns its id. By default the window is open now.
    func createActivity(admin: String, skuID: String, stock: Int64, limitPerUser: Int64, priceFen: Int64 = 100,
                        start: Date = Date().addingTimeInterval(-60), end: Date = Date().addingTimeInterval(3_600)) async throws -> String {
        let response = try await post("/admin/v1/seckill/activities", token: admin, body: [
            "name": "end-to-end flash sale",
            "startTime": .string(start.formatted(.iso8601)),
            "endTime": .string(end.formatted(.iso8601)),
            "items": [["skuId": .string(skuID), "seckillPriceFen": .int(priceFen), "stock": .int(stock),
                       "limitPerUser": .int(limitPerUser)]],
        ])
        guard let id = try expectSuccess(response, status: 201, "create flash sale")["id"].string else {
            throw MallClientError(description: "create flash sale: no id in \(response)")
        }
        return id
    }

    func buy(_ buyer: Buyer, activityID: String, skuID: String, quantity: Int64 = 1) async throws -> APIResponse {
        try await post("/api/v1/seckill/activities/\(activityID)/orders", token: buyer.token,
                       body: ["skuId": .string(skuID), "quantity": .int(quantity)])
    }

    func order(_ id: String, as buyer: Buyer) async throws -> APIResponse {
        try await get("/api/v1/orders/\(id)", token: buyer.token)
    }

    /// The first item's remaining stock and sold count, as the back office sees them.
    func seckillStock(admin: String, activityID: String) async throws -> SeckillStockView {
        let response = try await get("/admin/v1/seckill/activities/\(activityID)", token: admin)
        let item = try expectSuccess(response, "read flash sale")["items"][0]
        guard let remaining = item["stock"].int, let sold = item["sold"].int else {
            throw MallClientError(description: "read flash sale: no items[0].stock/sold in \(response)")
        }
        return SeckillStockView(remaining: remaining, sold: sold)
    }

    /// Every order of `buyer` (all pages), as the buyer's order list shows them.
    func orders(of buyer: Buyer) async throws -> [JSON] {
        var orders: [JSON] = []
        var cursor: String?
        for _ in 0..<100 {
            let query = "/api/v1/orders?limit=50" + (cursor.map { "&cursor=\($0)" } ?? "")
            let data = try expectSuccess(try await get(query, token: buyer.token), "list orders")
            orders += data["items"].array ?? []
            cursor = data["nextCursor"].string
            if cursor == nil { return orders }
        }
        throw MallClientError(description: "list orders: more than 100 pages for buyer \(buyer.userID)")
    }
}
