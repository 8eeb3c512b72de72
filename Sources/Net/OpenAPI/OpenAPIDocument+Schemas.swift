import Engine
private typealias S = OpenAPISchema

extension OpenAPIDocument {
    static var schemas: [(key: String, value: OpenAPIValue)] {
        envelopeSchemas + identitySchemas + catalogSchemas + uploadSchemas + seckillSchemas + orderSchemas + reportSchemas + statsSchemas
    }

    private static var envelopeSchemas: [(key: String, value: OpenAPIValue)] {
        [
            ("APICode", APICodeDocumentation.schema),
            ("Envelope", S.object("The one shape of every JSON response.", required: ["code", "message", "data", "timestamp"], [
                "code": S.ref("APICode"),
                "message": S.string("What happened, for a person.", example: "success"),
                "data": ["description": "The result; null on errors without field detail."],
                "timestamp": S.integer("Server time in milliseconds since 1970."),
            ])),
            ("FieldError", S.object("", required: ["field", "rule"], [
                "field": S.string("The field at fault, as the request names it.", example: "skus[0].priceFen"),
                "rule": S.string("The rule it broke.", example: "must be an integer number of fen >= 0"),
            ])),
            ("ErrorEnvelope", S.object("An error: `code` says which; for invalid input `data.fieldErrors` lists every bad field.",
                                       required: ["code", "message", "data", "timestamp"], [
                "code": S.ref("APICode"),
                "message": S.string("What went wrong and what to do.", example: "limit: must be 1 to 100"),
                "data": S.nullable(S.object("", ["fieldErrors": S.array(S.ref("FieldError"))])),
                "timestamp": S.integer("Server time in milliseconds since 1970."),
            ])),
            ("Readiness", S.object("", required: ["ready", "recovery", "durableLsn", "fsync", "archive"], [
                "ready": S.boolean("Always true once the server answers."),
                "recovery": S.string("What start-up recovery did."),
                "durableLsn": S.integer("Highest WAL position on disk."),
                "fsync": S.string("always, or none (benchmarks only, not durable)."),
                "archive": S.ref("ArchiveStatus"),
            ])),
            ("ArchiveStatus", S.object("The PostgreSQL archive.", required: ["enabled", "detail"], [
                "enabled": S.boolean("False when no MALL_DATABASE_URL is configured."),
                "detail": S.string("State in words."),
                "checkpointLsn": S.integer("Last WAL position archived."),
                "lagRecords": S.integer("WAL records not yet archived."),
                "lagSeconds": S.number("Age of the oldest record not yet archived."),
            ])),
        ]
    }

    private static var seckillSchemas: [(key: String, value: OpenAPIValue)] {
        [
            ("CreateSeckillActivityRequest", S.object(
                "Rules across fields, refused with 400: endTime after startTime; no SKU listed twice. An unknown SKU is refused too.",
                required: ["name", "startTime", "endTime", "items"], closed: true, [
                "name": CreateSeckillActivityRequest.nameRule.schema("Activity name.", example: "双十一秒杀"),
                "startTime": APITime.schema("Start."), "endTime": APITime.schema("End; after startTime."),
                "items": S.array(S.object("", required: ["skuId", "seckillPriceFen", "stock"], closed: true, [
                    "skuId": S.id("An existing SKU, listed once."),
                    "seckillPriceFen": CreateSeckillActivityRequest.priceRule.schema("Flash price."),
                    "stock": CreateSeckillActivityRequest.stockRule.schema("Units issued for the sale."),
                    "limitPerUser": CreateSeckillActivityRequest.limitPerUserRule.schema(
                        "Units one buyer may take.", default: CreateSeckillActivityRequest.limitPerUserDefault),
                ]), "The SKUs on sale.", counts: CreateSeckillActivityRequest.itemsRange),
            ])),
            ("SeckillActivity", S.object("", required: ["id", "name", "startTime", "endTime", "status", "items"], [
                "id": S.id("The activity."), "name": S.string("Name."),
                "startTime": S.time("Start."), "endTime": S.time("End."),
                "status": S.enumeration(["upcoming", "active", "ended"], "At the time of the request."),
                "items": S.array(S.object("", required: ["skuId", "seckillPriceFen", "limitPerUser", "stock", "sold"], [
                    "skuId": S.id("The SKU."), "productId": S.id("Its product."), "productName": S.string("Product name."),
                    "skuName": S.string("SKU name."), "seckillPriceFen": S.fen("Flash price."),
                    "originalPriceFen": S.fen("The SKU's usual price."), "limitPerUser": S.integer("Units per buyer."),
                    "stock": S.integer("Units left to sell."), "sold": S.integer("Units sold (cancelled orders give theirs back)."),
                ])),
            ])),
            ("SeckillPurchaseRequest", S.object("", required: ["skuId"], closed: true, [
                "skuId": S.id("The SKU to buy."),
                "quantity": SeckillPurchaseRequest.quantityRule.schema("Units to buy.", default: SeckillPurchaseRequest.quantityDefault),
            ])),
        ]
    }

    private static var orderSchemas: [(key: String, value: OpenAPIValue)] {
        [
            ("Order", S.object("A buyer's order, from memory.", required: ["id", "orderId", "orderNo", "userId", "status", "items", "totalFen", "payAmountFen", "createdAt", "payDeadline"], [
                "id": S.id("The order."), "orderId": S.id("Same as id."),
                "orderNo": S.string("22 digits: UTC creation time to the ms + a counter.", example: "2026112710000012300001"),
                "userId": S.id("The buyer."),
                "status": S.enumeration(orderStatuses, "待付款, 待发货, 待收货, 已完成, 已取消."),
                "activityId": S.id("The flash sale, if any."),
                "items": S.array(S.object("", required: ["productId", "skuId", "productName", "skuName", "unitPriceFen", "quantity"], [
                    "productId": S.id("Product."), "skuId": S.id("SKU."), "productName": S.string("At order time."),
                    "skuName": S.string("At order time."), "unitPriceFen": S.fen("Unit price paid."), "quantity": S.integer("Units."),
                ])),
                "totalFen": S.fen("Goods total."), "payAmountFen": S.fen("Amount to pay."),
                "createdAt": S.time("Creation."), "payDeadline": S.time("Unpaid orders are cancelled then."),
                "paidAt": S.time("Payment."), "transactionId": S.string("WeChat Pay transaction."),
                "cancelledAt": S.time("Cancellation."), "cancelReason": S.enumeration(["user", "timeout", "admin"], "Why it was cancelled."),
            ])),
            ("OrderList", S.object("", required: ["items"], [
                "items": S.array(S.ref("Order")),
                "nextCursor": S.nullable(S.string("Pass as cursor for the next page; absent on the last page.")),
            ])),
            ("PaymentException", S.object("A payment no order could keep: a refund due.", required: ["transactionId", "orderNo", "amountFen", "reason", "recordedAt"], [
                "transactionId": S.string("WeChat Pay transaction."), "orderNo": S.string("The out_trade_no the payment named."),
                "orderId": S.nullable(S.id("The order, when one has that number.")), "amountFen": S.fen("Amount paid."),
                "reason": S.enumeration(PaymentExceptionRecorded.Reason.allCases.map(\.name), "Why no order could keep it."),
                "recordedAt": S.time("When it was recorded."),
            ])),
            ("PaymentExceptionList", S.object("", required: ["items"], [
                "items": S.array(S.ref("PaymentException")),
                "nextCursor": S.nullable(S.string("Pass as cursor for the next page; absent on the last page.")),
            ])),
        ]
    }

    private static var reportSchemas: [(key: String, value: OpenAPIValue)] {
        [
            ("AdminOrder", S.object("An order as the archive holds it.", required: ["id", "orderNo", "userId", "status", "paymentStatus", "totalAmountFen", "discountAmountFen", "freightFen", "payAmountFen", "itemQuantity", "productSummary", "createdAt", "payDeadline"], [
                "id": S.id("The order."), "orderNo": S.string("22 digits."), "userId": S.id("The buyer."),
                "activityId": S.id("The flash sale, if any."),
                "status": S.enumeration(orderStatuses, "Status."),
                "cancelReason": S.enumeration(["user", "timeout", "admin"], "For cancelled orders."),
                "paymentStatus": S.string("unpaid or paid."), "paymentMethod": S.string("e.g. wechat."),
                "transactionId": S.string("WeChat Pay transaction."),
                "totalAmountFen": S.fen("Goods total."), "discountAmountFen": S.fen("Discount."), "freightFen": S.fen("Freight."),
                "payAmountFen": S.fen("Amount to pay."), "itemQuantity": S.integer("Units over all lines."),
                "productSummary": S.string("\"product sku ×quantity\" per line, joined with \"; \"."),
                "remark": S.string("Buyer's remark."),
                "createdAt": S.time("Creation."), "payDeadline": S.time("Payment deadline."), "paidAt": S.time("Payment."),
                "shippedAt": S.time("Shipping."), "completedAt": S.time("Completion."), "cancelledAt": S.time("Cancellation."),
            ])),
            ("AdminOrderPage", S.object("", required: ["items", "nextCursor"], [
                "items": S.array(S.ref("AdminOrder")),
                "nextCursor": S.nullable(S.string("Opaque; pass as cursor with the same filters and sort. Null on the last page.")),
                "page": S.integer("Page mode only."), "pageSize": S.integer("Page mode only."),
                "total": S.integer("Page mode only: orders matching the filters."),
            ])),
            ("AdminStockLog", S.object("One stock movement, from the archive.", required: ["id", "skuId", "type", "change", "createdAt"], [
                "id": S.id("The log row."), "skuId": S.id("The SKU."), "productId": S.id("The SKU's product."),
                "productName": S.string("The product's name now."), "skuName": S.string("The SKU's name now."),
                "type": S.enumeration(StockLogKind.allCases.map(\.rawValue), "What moved the units: order_placed and order_cancelled (orders), opening (a new SKU's first units), stock_in and stock_out (an admin), to_seckill and from_seckill (units into or back from a flash-sale item)."),
                "change": S.integer("Units, signed: what the movement did to the SKU's stock; on a flash-sale order's rows (activityId set, order_placed or order_cancelled), what it did to the flash-sale item's units instead."),
                "orderId": S.id("The order, for order_placed and order_cancelled."),
                "activityId": S.id("The flash sale, for flash-sale orders and for to_seckill and from_seckill."),
                "remark": S.string("The admin's remark, a cancel reason, or why units moved (e.g. sale ended)."),
                "operatorId": S.id("The admin who moved the units; absent for orders and the engine's own moves."),
                "createdAt": S.time("When."),
            ])),
            ("AdminStockLogPage", S.object("", required: ["items", "nextCursor"], [
                "items": S.array(S.ref("AdminStockLog"), "Newest first."),
                "nextCursor": S.nullable(S.string("Opaque; pass as cursor with the same filters. Null on the last page.")),
            ])),
            ("AdminOrderDetail", S.object("", required: ["order", "items", "payments", "statusHistory"], [
                "order": S.ref("AdminOrder"),
                "items": S.array(S.object("", required: ["lineNo", "productId", "skuId", "productName", "skuName", "spec", "unitPriceFen", "quantity", "amountFen"], [
                    "lineNo": S.integer("Line number."), "productId": S.id("Product."), "skuId": S.id("SKU."),
                    "productName": S.string("At order time."), "skuName": S.string("At order time."), "spec": S.map("Specification."),
                    "unitPriceFen": S.fen("Unit price."), "quantity": S.integer("Units."), "amountFen": S.fen("unitPriceFen × quantity."),
                ])),
                "payments": S.array(S.object("", required: ["id", "transactionId", "method", "amountFen", "status", "paidAt"], [
                    "id": S.id("Payment."), "transactionId": S.string("WeChat Pay transaction."), "method": S.string("e.g. wechat."),
                    "amountFen": S.fen("Amount paid."), "status": S.string("Payment status."), "paidAt": S.time("Payment."),
                ])),
                "statusHistory": S.array(S.object("Oldest first.", required: ["toStatus", "at", "lsn"], [
                    "fromStatus": S.nullable(S.enumeration(orderStatuses, "Null for creation.")),
                    "toStatus": S.enumeration(orderStatuses, "New status."), "reason": S.string("e.g. timeout."),
                    "at": S.time("When."), "lsn": S.string("WAL position of the change."),
                ])),
            ])),
        ]
    }
}
