import HTTPTypes

/// The OpenAPI 3.0 description of every route `buildRouter` registers,
/// served at `/openapi.json`. Written by hand next to the controllers: a route
/// added to `buildRouter` is added to `routes` here in the same change.
enum OpenAPIDocument {
    /// The rendered JSON, built once.
    static let json: String = document.json

    static var document: OpenAPIValue {
        [
            "openapi": "3.1.0",
            "info": info,
            "servers": [["url": "/"]],
            "tags": tags,
            "paths": paths,
            "components": components,
        ]
    }

    struct Route: Sendable {
        var method: String
        /// OpenAPI form: `{id}` for a path parameter.
        var path: String
        var operation: OpenAPIValue
    }

    /// Every route, in the order the docs page lists them, each admin route with its permission.
    static var routes: [Route] {
        (healthRoutes + authRoutes + profileRoutes + catalogRoutes + searchRoutes + browsingRoutes + uploadRoutes + seckillRoutes + orderRoutes + paymentRoutes
            + adminAccountRoutes + adminReportRoutes + documentationRoutes).map(statingPermission).map(statingRateLimit)
    }

    static var paths: OpenAPIValue {
        var order: [String] = []
        var operations: [String: [OpenAPIValue.Member]] = [:]
        for route in routes {
            if operations[route.path] == nil { order.append(route.path) }
            operations[route.path, default: []].append(.init(key: route.method, value: route.operation))
        }
        return .object(order.map { .init(key: $0, value: .object(operations[$0] ?? [])) })
    }

    static let tags: OpenAPIValue = [
        ["name": "health", "description": "Liveness, readiness and Prometheus metrics for the operator."],
        ["name": "auth", "description": "WeChat login for buyers, password login for the back office, token refresh (refresh tokens rotate; one used twice ends its session), logout, the current admin and its password."],
        ["name": "profile", "description": "A buyer's own profile, phone number, real-name check and address book."],
        ["name": "catalog", "description": "Categories with attribute templates, products (SPU) with their SKU matrix, shelving, stock-in and stock-out, low-stock alerts, and the storefront's product list and page."],
        ["name": "search", "description": "Storefront search (words, pinyin and initials, synonyms, filters, sorts, highlighted names), suggestions while typing, hot keywords, and the back office's synonyms and pinned or blocked keywords."],
        ["name": "browsing", "description": "A buyer's favorites, footprints (product pages viewed, by day) and search history."],
        ["name": "uploads", "description": "Images for products (back office), avatars and reviews (buyers): posted to this server (local storage, the default) or uploaded straight to S3-compatible object storage through a presigned URL (MALL_UPLOAD_STORAGE=s3)."],
        ["name": "seckill", "description": "Flash sales (秒杀): activities and purchases."],
        ["name": "orders", "description": "A buyer's own orders, served from memory."],
        ["name": "payments", "description": "WeChat Pay (sandbox or merchant) and its notification callback."],
        ["name": "admin-accounts", "description": "Back-office accounts, their roles and permissions, and the audit log of every back-office write."],
        ["name": "admin-users", "description": "Buyers as the back office sees them (phone numbers masked): search, ban and unban."],
        ["name": "admin-reports", "description": "Back-office order queries, statistics and CSV export, read from the PostgreSQL archive (a few seconds behind the engine). 503 when the archive is not configured (MALL_DATABASE_URL)."],
        ["name": "docs", "description": "This document and its HTML page."],
    ]

    static var info: OpenAPIValue {
        [
            "title": "mall API",
            "version": "1.0.0",
            "description": .string(infoDescription),
        ]
    }

    private static var infoDescription: String {
        """
        Backend of a WeChat mini-program mall. `/api/v1` serves the mini-program (user tokens), `/admin/v1` the back office (admin tokens).

        Every JSON response is an envelope: `{"code": 200, "message": "success", "data": {...}, "timestamp": 1732400000000}` (`timestamp` in ms). The HTTP status is the class of `code`: a five-digit business code's first three digits are its HTTP status. A 400 names each bad field and its rule in `data.fieldErrors`.

        Money is always an integer number of fen (1 yuan = 100 fen). Ids are decimal strings. Times are ISO-8601 UTC strings; in query parameters percent-encode `+` of an offset as `%2B`.

        Lists take `cursor` and `limit` and return `{"items": [...], "nextCursor": "..."}` (`nextCursor` null on the last page).

        A server started with `--sandbox` fakes WeChat login (any code signs in a sandbox buyer) and WeChat Pay (`POST /api/v1/orders/{id}/pay`), and says so on every reply, errors included, with the header `X-Mall-Sandbox: 1` (and in `/readyz`: `"sandbox": true`). No real user or payment is behind a reply that carries it. Without `--sandbox` the header is absent, and a route whose WeChat service is not configured answers 503 naming the missing settings.

        Codes:

        \(APICodeDocumentation.markdownTable)
        """
    }

    static var components: OpenAPIValue {
        [
            "securitySchemes": [
                "userToken": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                              "description": "Buyer access token from POST /api/v1/auth/wechat/login or /api/v1/auth/refresh (2 h). 401 when missing, malformed or expired; 40101 once its session has ended (logout, ban, refresh token reused)."],
                "adminToken": ["type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                               "description": "Back-office access token from POST /admin/v1/auth/login or /admin/v1/auth/refresh (2 h). 401 when missing, malformed or expired; 40101 once its session has ended. Each operation's `x-permission` names the permission (module:action) the account needs, from its role or granted to it (403 without); empty means any signed-in admin."],
            ],
            "schemas": .object(schemas.map { .init(key: $0.key, value: $0.value) }),
            "responses": errorResponses,
        ]
    }

    /// One shared response per error status, listing the codes it carries.
    static var errorResponses: OpenAPIValue {
        let statuses = Set(APICode.allCases.filter { $0 != .success }.map { Int($0.status.code) }).sorted()
        return .object(statuses.map { status in
            let codes = APICode.allCases.filter { $0 != .success && Int($0.status.code) == status }
            let text = codes.map { "\($0.rawValue): \(APICodeDocumentation.meaning($0))" }.joined(separator: " ")
            return .init(key: "E\(status)", value: [
                "description": .string(text),
                "content": ["application/json": ["schema": OpenAPISchema.ref("ErrorEnvelope")]],
            ])
        })
    }
}
