import WeChat

private typealias S = OpenAPISchema

extension OpenAPIDocument {
    static var healthRoutes: [Route] {
        [
            Route(method: "get", path: "/healthz", operation: S.operation(
                "health", "Liveness", "Answers while the process runs.", security: .none,
                data: S.object("", required: ["status"], ["status": S.string("Always ok.", example: "ok")]), errors: [])),
            Route(method: "get", path: "/readyz", operation: S.operation(
                "health", "Readiness",
                "Answers once recovery has finished. The detail says what recovery did, the durable WAL position and whether the PostgreSQL archive is on, with its lag. Archive lag never makes the server unready.",
                security: .none, data: S.ref("Readiness"), errors: [])),
            Route(method: "get", path: "/metrics", operation: metricsOperation),
        ]
    }

    private static var metricsOperation: OpenAPIValue {
        [
            "tags": ["health"], "summary": "Prometheus metrics", "operationId": "healthPrometheusMetrics", "security": [],
            "description": "Prometheus text format: WAL durable LSN, frames, records and fsyncs; archive lag in records and seconds.",
            "responses": ["200": ["description": "Prometheus exposition text.",
                                  "content": ["text/plain; version=0.0.4": ["schema": ["type": "string"]]]]],
        ]
    }

    static var seckillRoutes: [Route] {
        let idempotencyKey = S.parameter(
            "Idempotency-Key", in: "header", SeckillPurchaseRequest.idempotencyKeyRule.schema("A client-chosen key."),
            "A repeat with the same key returns the first order instead of buying again, also after a restart.")
        return [
            Route(method: "post", path: "/admin/v1/seckill/activities", operation: S.operation(
                "seckill", "Create flash sale", "An activity with its time window and, per SKU, the flash price, the units issued and the per-user limit.",
                security: .admin, body: S.jsonBody(S.ref("CreateSeckillActivityRequest")), status: "201",
                data: S.ref("SeckillActivity"), errors: [400, 401, 404, 413, 500, 503], links: [
                    "AdminFlashSale": S.link("seckillAdminFlashSale", "The activity created.", parameters: ["path.id": "$response.body#/data/id"]),
                    "FlashSale": S.link("seckillFlashSale", "The activity as buyers see it.", parameters: ["path.id": "$response.body#/data/id"]),
                    "Buy": S.link("seckillBuyInFlashSale", "Buy its first SKU.", parameters: ["path.id": "$response.body#/data/id"],
                                  requestBody: ["skuId": "$response.body#/data/items/0/skuId", "quantity": 1]),
                    "Report": S.link("adminReportsFlashSaleReport", "Its report (once archived).",
                                     parameters: ["path.activityId": "$response.body#/data/id"]),
                ])),
            Route(method: "get", path: "/admin/v1/seckill/activities/{id}", operation: S.operation(
                "seckill", "Admin flash sale", security: .admin, parameters: [S.pathID("Activity id.")],
                data: S.ref("SeckillActivity"), errors: [400, 401, 404])),
            Route(method: "get", path: "/api/v1/seckill/activities/{id}", operation: S.operation(
                "seckill", "Flash sale", "The activity, its status (upcoming, active, ended) and per SKU the units left.",
                security: .none, parameters: [S.pathID("Activity id.")], data: S.ref("SeckillActivity"), errors: [400, 404])),
            Route(method: "post", path: "/api/v1/seckill/activities/{id}/orders", operation: S.operation(
                "seckill", "Buy in flash sale",
                "Takes the units and creates an unpaid order in one durable step; the order is cancelled and the units return if it is not paid by `payDeadline`.",
                security: .user, parameters: [S.pathID("Activity id."), idempotencyKey],
                body: S.jsonBody(S.ref("SeckillPurchaseRequest")), status: "201", data: S.ref("Order"),
                errors: [400, 401, 404, 409, 40901, 40902, 40903, 500, 503], links: [
                    "Order": S.link("ordersMyOrder", "The order placed.", parameters: ["path.id": "$response.body#/data/id"]),
                    "Cancel": S.link("ordersCancelMyOrder", "Cancel it.", parameters: ["path.id": "$response.body#/data/id"]),
                    "Pay": S.link("paymentsPayMyOrderSandbox", "Pay it (sandbox).", parameters: ["path.id": "$response.body#/data/id"]),
                    "AdminOrder": S.link("adminReportsOrderDetail", "Its archived detail.", parameters: ["path.id": "$response.body#/data/id"]),
                ])),
        ]
    }

    static var orderRoutes: [Route] {
        [
            Route(method: "get", path: "/api/v1/orders", operation: S.operation(
                "orders", "My orders", "The buyer's orders, newest first.", security: .user,
                parameters: [
                    S.parameter("status", in: "query", S.enumeration(orderStatuses, "Only orders in this status."), "Only orders in this status."),
                    S.parameter("cursor", in: "query", S.id("An order id."), "`nextCursor` of the previous page."),
                    S.parameter("limit", in: "query", OrderController.listLimitRule.schema(
                        "Orders per page.", default: Int64(OrderController.listLimitDefault)), "Orders per page."),
                ],
                data: S.ref("OrderList"), errors: [400, 401])),
            Route(method: "get", path: "/api/v1/orders/{id}", operation: S.operation(
                "orders", "My order", "Another buyer's order answers 404.", security: .user,
                parameters: [S.pathID("Order id.")], data: S.ref("Order"), errors: [400, 401, 404])),
            Route(method: "post", path: "/api/v1/orders/{id}/cancel", operation: S.operation(
                "orders", "Cancel my order", "Only an unpaid order can be cancelled; its units return to stock.", security: .user,
                parameters: [S.pathID("Order id.")], data: S.ref("Order"), errors: [400, 401, 404, 40905, 40906, 500, 503])),
        ]
    }

    static var paymentRoutes: [Route] {
        [
            Route(method: "post", path: "/api/v1/orders/{id}/pay", operation: S.operation(
                "payments", "Pay my order (sandbox)",
                "Sandbox mode (`mall serve --sandbox`): pays the order at once through a signed payment notification, verified like one from WeChat Pay. 503 naming `--sandbox` on a server started without it.",
                security: .user, parameters: [S.pathID("Order id.")], data: S.ref("Order"),
                errors: [400, 401, 404, 40905, 40906, 500, 503])),
            Route(method: "post", path: "/api/v1/payments/wechat/notify", operation: notifyOperation),
            Route(method: "get", path: "/admin/v1/payments/exceptions", operation: S.operation(
                "payments", "Refunds due",
                "Payments WeChat Pay made that no order could keep (the order was cancelled, already paid by another transaction, paid with another amount, or unknown), newest first. Each was acknowledged to WeChat Pay and is owed back to the payer.",
                security: .admin,
                parameters: [
                    S.parameter("cursor", in: "query", ["type": "string", "pattern": "^[0-9]{1,9}$"], "`nextCursor` of the previous page."),
                    S.parameter("limit", in: "query", ["type": "integer", "minimum": 1, "maximum": 100, "default": 20], "Entries per page, 1 to 100."),
                ],
                data: S.ref("PaymentExceptionList"), errors: [400, 401])),
        ]
    }

    private static var notifyOperation: OpenAPIValue {
        [
            "tags": ["payments"], "summary": "WeChat Pay notification", "operationId": "paymentsWechatPayNotification",
            "security": [],
            "description": "WeChat Pay's notify_url (APIv3). The signature (Wechatpay-Signature, -Timestamp, -Nonce, -Serial headers) is verified and the resource decrypted before the order is marked paid. Not the envelope: WeChat Pay's own reply format.",
            "parameters": .array(notifyHeaders),
            "requestBody": ["required": true, "content": ["application/json": ["schema": ["type": "object", "description": "WeChat Pay's encrypted notification."]]]],
            "responses": [
                "204": ["description": "Verified and applied, a duplicate of one already applied, or a payment no order can keep, recorded as a refund due (GET /admin/v1/payments/exceptions)."],
                "400": ["description": "Malformed notification: `{\"code\":\"FAIL\",\"message\":\"...\"}`; WeChat Pay retries."],
                "401": ["description": "Signature, serial or clock check failed: `{\"code\":\"FAIL\",\"message\":\"...\"}`."],
                "500": ["description": "Not processed; WeChat Pay retries."],
                "503": ["description": "No payment gateway on this server (neither a merchant nor `--sandbox`): `{\"code\":\"FAIL\",\"message\":\"...\"}`; WeChat Pay retries."],
            ],
        ]
    }

    /// The signature headers of section 5.3. A missing or malformed one is a 400, a wrong one a 401.
    private static var notifyHeaders: [OpenAPIValue] {
        [
            S.parameter(WeChatPayHeader.serial, in: "header", required: true,
                        ["type": "string", "minLength": 1, "maxLength": 64, "example": .string(SandboxPayGateway.defaultSerial)],
                        "The platform key that signed the notification."),
            S.parameter(WeChatPayHeader.timestamp, in: "header", required: true,
                        ["type": "string", "pattern": .string("^[0-9]{1,\(WeChatPayPlatformKeys.timestampDigitsMax)}$"), "example": "1700000000"],
                        "Unix seconds; refused when 5 minutes or more from the server's clock."),
            S.parameter(WeChatPayHeader.nonce, in: "header", required: true, ["type": "string", "minLength": 1, "maxLength": 64],
                        "The signature's nonce."),
            S.parameter(WeChatPayHeader.signature, in: "header", required: true, ["type": "string", "minLength": 1, "maxLength": 1024],
                        "base64 SHA256withRSA over timestamp, nonce and body."),
        ]
    }

    static var documentationRoutes: [Route] {
        [
            Route(method: "get", path: "/openapi.json", operation: [
                "tags": ["docs"], "summary": "OpenAPI document", "operationId": "docsOpenapiDocument", "security": [],
                "description": "This document (not wrapped in the envelope).",
                "responses": ["200": ["description": "OpenAPI 3.0 JSON.", "content": ["application/json": ["schema": ["type": "object"]]]]],
            ]),
            Route(method: "get", path: "/docs", operation: [
                "tags": ["docs"], "summary": "API documentation page", "operationId": "docsApiDocumentationPage", "security": [],
                "description": "A self-contained HTML page listing the routes of /openapi.json; loads nothing from the internet.",
                "responses": ["200": ["description": "HTML.", "content": ["text/html": ["schema": ["type": "string"]]]]],
            ]),
        ]
    }

    static let orderStatuses = ["pending_payment", "pending_shipment", "pending_receipt", "completed", "cancelled"]
}
