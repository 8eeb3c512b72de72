private typealias S = OpenAPISchema

extension OpenAPIDocument {
    static var statsSchemas: [(key: String, value: OpenAPIValue)] {
        [
            ("StatsOverview", S.object("", required: ["timeZone", "generatedAt", "today", "yesterday"], [
                "timeZone": S.string("The shop's IANA time zone.", example: "Asia/Shanghai"),
                "generatedAt": S.time("The server time the figures are for."),
                "today": S.ref("DayStats"), "yesterday": S.ref("DayStats"),
            ])),
            ("DayStats", S.object(
                "One day of the shop's time zone. Order counts, GMV and conversion follow the orders created that day; paidAmountFen is the money received that day.",
                required: ["date", "from", "to", "orders", "cancelledOrders", "paidOrders", "gmvFen", "paidAmountFen", "newUsers", "averageOrderValueFen", "conversionRate"], [
                "date": S.string("Local date.", example: "2026-11-27"),
                "from": S.time("Start of the day."), "to": S.time("Start of the next day."),
                "orders": S.integer("Orders created."), "cancelledOrders": S.integer("Of those, cancelled since."),
                "paidOrders": S.integer("Of those, paid since."),
                "gmvFen": S.fen("GMV: pay amounts of the day's orders that are not cancelled."),
                "paidAmountFen": S.fen("Payments received during the day."),
                "newUsers": S.integer("Buyers registered."),
                "averageOrderValueFen": S.fen("gmvFen / (orders − cancelledOrders), to the nearest fen; 0 without orders."),
                "conversionRate": S.number("paidOrders / orders, 0 to 1, 4 decimals; 0 without orders."),
            ])),
            ("SalesSeries", S.object("", required: ["timeZone", "granularity", "from", "to", "points"], [
                "timeZone": S.string("The shop's time zone."), "granularity": S.enumeration(["day", "hour"], "Bucket size."),
                "from": S.time("Requested start."), "to": S.time("Requested end."),
                "points": S.array(S.object("One bucket; the first and last may be partial. Empty buckets are present with zeros.",
                                           required: ["start", "label", "orders", "paidOrders", "gmvFen", "paidAmountFen"], [
                    "start": S.time("Bucket start."), "label": S.string("Bucket start in the shop's time zone.", example: "2026-11-27 10:00"),
                    "orders": S.integer("Orders created."), "paidOrders": S.integer("Of those, paid."),
                    "gmvFen": S.fen("Pay amounts of those not cancelled."), "paidAmountFen": S.fen("Payments received in the bucket."),
                ])),
            ])),
            ("TopProducts", S.object("", required: ["by", "items"], [
                "by": S.enumeration(["quantity", "amount"], "Ranking."),
                "from": S.time("Range start, if given."), "to": S.time("Range end, if given."),
                "items": S.array(S.object("", required: ["rank", "productId", "productName", "quantity", "amountFen", "orders"], [
                    "rank": S.integer("1 for the best seller."), "productId": S.id("Product."), "productName": S.string("Name."),
                    "quantity": S.integer("Units sold."), "amountFen": S.fen("Sum of unit price × quantity."),
                    "orders": S.integer("Orders with this product."),
                ])),
            ])),
            ("SeckillReport", S.object(
                "A flash sale's outcome. issuedUnits = remainingUnits + soldUnits − cancelledUnits (cancelled orders return their units).",
                required: ["activityId", "name", "startTime", "endTime", "issuedUnits", "remainingUnits", "soldUnits", "soldOrders", "paidUnits", "paidOrders", "paidAmountFen", "cancelledUnits", "cancelledOrders", "timeoutCancelledUnits", "timeoutCancelledOrders", "paidRate", "items"], [
                "activityId": S.id("The activity."), "name": S.string("Name."),
                "startTime": S.time("Start."), "endTime": S.time("End."),
                "issuedUnits": S.integer("Units put on sale."), "remainingUnits": S.integer("Units left."),
                "soldUnits": S.integer("Units in every order placed."), "soldOrders": S.integer("Orders placed."),
                "paidUnits": S.integer("Units in paid orders."), "paidOrders": S.integer("Orders paid."),
                "paidAmountFen": S.fen("Pay amounts of paid orders."),
                "cancelledUnits": S.integer("Units in cancelled orders (any reason)."), "cancelledOrders": S.integer("Orders cancelled."),
                "timeoutCancelledUnits": S.integer("Units in orders cancelled unpaid at the deadline."),
                "timeoutCancelledOrders": S.integer("Orders cancelled unpaid at the deadline."),
                "paidRate": S.number("paidUnits / soldUnits, 0 to 1, 4 decimals."),
                "items": S.array(S.object("Per SKU.", required: ["skuId", "seckillPriceFen", "issuedUnits", "remainingUnits", "soldUnits", "paidUnits", "paidAmountFen", "cancelledUnits", "timeoutCancelledUnits", "paidRate"], [
                    "skuId": S.id("SKU."), "productId": S.id("Product."), "productName": S.string("Product name."),
                    "skuName": S.string("SKU name."), "seckillPriceFen": S.fen("Flash price."),
                    "issuedUnits": S.integer("Units put on sale."), "remainingUnits": S.integer("Units left."),
                    "soldUnits": S.integer("Units ordered."), "paidUnits": S.integer("Units paid."),
                    "paidAmountFen": S.fen("Line amounts of paid orders."), "cancelledUnits": S.integer("Units cancelled."),
                    "timeoutCancelledUnits": S.integer("Units cancelled by timeout."), "paidRate": S.number("paidUnits / soldUnits."),
                ])),
            ])),
        ]
    }
}
