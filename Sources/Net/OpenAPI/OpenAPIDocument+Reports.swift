private typealias S = OpenAPISchema

extension OpenAPIDocument {
    /// Filters shared by the order list and the export.
    static var orderFilterParameters: [OpenAPIValue] {
        [
            S.parameter("status", in: "query",
                        ["type": "string", "maxLength": .integer(ReportParameters.statusListCharactersMax),
                         "pattern": .string(ReportParameters.statusListPattern), "example": "pending_shipment,pending_receipt"],
                        "One or more of \(orderStatuses.joined(separator: ", ")), comma-separated."),
            S.parameter("from", in: "query", APITime.schema("Created at or after."),
                        "Orders created at or after this time (percent-encode `+` as %2B)."),
            S.parameter("to", in: "query", APITime.schema("Created before."), "Orders created before this time; must be after `from`."),
            S.parameter("orderNo", in: "query", ReportParameters.orderNoRule.schema("An order number or its first digits."),
                        "All 22 digits for one order; fewer for every order number starting with them (numbers start with their UTC creation time, yyyyMMddHHmmss...)."),
            S.parameter("userId", in: "query", S.id("Buyer."), "Only this buyer's orders."),
            S.parameter("productId", in: "query", S.id("Product."), "Only orders with a line of this product."),
            S.parameter("minAmountFen", in: "query", ReportParameters.amountFenRule.schema("Lowest pay amount, inclusive."),
                        "Lowest pay amount in fen, inclusive."),
            S.parameter("maxAmountFen", in: "query", ReportParameters.amountFenRule.schema("Highest pay amount, inclusive."),
                        "Highest pay amount in fen, inclusive; not below minAmountFen."),
            S.parameter("sort", in: "query", S.enumeration(AdminOrderFilter.Sort.Key.allCases.map(\.rawValue), "Sort key."),
                        "createdAt (default) or payAmount; ties broken by id."),
            S.parameter("order", in: "query", S.enumeration(AdminOrderFilter.Sort.Direction.allCases.map(\.rawValue), "Direction."), "desc (default) or asc."),
        ]
    }

    static var orderPagingParameters: [OpenAPIValue] {
        [
            S.parameter("cursor", in: "query", ReportParameters.cursorRule.schema("An opaque cursor."),
                        "`nextCursor` of the previous page, for the same sort and order. Pages stay stable while new orders arrive. Not with page or pageSize."),
            S.parameter("limit", in: "query", ReportParameters.limitRule.schema("Orders per page.", default: Int64(AdminPageRequest.limitDefault)),
                        "Orders per page in cursor mode. Not with page or pageSize."),
            S.parameter("page", in: "query", ReportParameters.pageRule.schema("Page number, from 1."),
                        "Page mode for the table view (1-based); the reply adds page, pageSize and total. At most \(AdminPageRequest.offsetRowsMax) rows deep, so page is at most \(AdminPageRequest.offsetRowsMax) / pageSize + 1: use cursors beyond. Not with cursor or limit."),
            S.parameter("pageSize", in: "query", ReportParameters.limitRule.schema("Orders per page.", default: Int64(AdminPageRequest.limitDefault)),
                        "Orders per page in page mode."),
        ]
    }

    static var adminReportRoutes: [Route] {
        orderReportRoutes + stockLogRoutes + statsReportRoutes
    }

    private static var stockLogRoutes: [Route] {
        [
            Route(method: "get", path: "/admin/v1/stock/logs", operation: S.operation(
                "admin-reports", "Stock log",
                "Every movement of SKU stock, newest first, from the archive (a few seconds behind): orders and their cancellations, new SKUs' opening stock, stock-in and stock-out, units moved into and back from flash sales. Cursor pages stay stable while new movements arrive.",
                security: .admin,
                parameters: [
                    S.parameter("skuId", in: "query", S.id("SKU."), "Only this SKU's movements."),
                    S.parameter("type", in: "query", S.enumeration(StockLogKind.allCases.map(\.rawValue), "Movement type."),
                                "Only movements of this type."),
                    S.parameter("from", in: "query", APITime.schema("At or after."), "Movements at or after this time (percent-encode `+` as %2B)."),
                    S.parameter("to", in: "query", APITime.schema("Before."), "Movements before this time; must be after `from`."),
                    S.parameter("cursor", in: "query", ReportParameters.cursorRule.schema("An opaque cursor."),
                                "`nextCursor` of the previous page, with the same filters."),
                    S.parameter("limit", in: "query", ReportParameters.limitRule.schema("Rows per page.", default: Int64(AdminPageRequest.limitDefault)),
                                "Rows per page."),
                ],
                data: S.ref("AdminStockLogPage"), errors: [400, 401, 500, 503])),
        ]
    }

    private static var orderReportRoutes: [Route] {
        [
            Route(method: "get", path: "/admin/v1/orders", operation: S.operation(
                "admin-reports", "List orders",
                "All orders from the archive, filtered and sorted. Cursor mode by default; `page`/`pageSize` for a table with a total.",
                security: .admin, parameters: orderFilterParameters + orderPagingParameters,
                data: S.ref("AdminOrderPage"), errors: [400, 401, 500, 503])),
            Route(method: "get", path: "/admin/v1/orders/export", operation: exportOperation),
            Route(method: "get", path: "/admin/v1/orders/{id}", operation: S.operation(
                "admin-reports", "Order detail", "One order with its lines, payments and status history, from the archive.",
                security: .admin, parameters: [S.pathID("Order id.")], data: S.ref("AdminOrderDetail"), errors: [400, 401, 404, 500, 503])),
        ]
    }

    private static var exportOperation: OpenAPIValue {
        [
            "tags": ["admin-reports"], "summary": "Export orders as CSV", "operationId": "adminReportsExportOrdersCsv",
            "security": [["adminToken": []]],
            "description": "Every order the filters select, streamed as CSV in constant memory whatever the number of rows: UTF-8 with a byte order mark (Excel opens Chinese text), CRLF lines, a header row in Chinese and English (e.g. `订单号 order_no`), money in fen, times in UTC. Cells starting with = + - @ are prefixed with a single quote so spreadsheets do not run them as formulas. Paging parameters are ignored.",
            "parameters": .array(orderFilterParameters),
            "responses": [
                "200": ["description": "CSV attachment (Content-Disposition: attachment; filename=\"orders-<UTC time>.csv\").",
                        "content": ["text/csv; charset=utf-8": ["schema": ["type": "string"]]]],
                "400": ["$ref": "#/components/responses/E400"],
                "401": ["$ref": "#/components/responses/E401"],
                "500": ["$ref": "#/components/responses/E500"],
                "503": ["$ref": "#/components/responses/E503"],
            ],
        ]
    }

    private static var statsReportRoutes: [Route] {
        let range = [
            S.parameter("from", in: "query", APITime.schema("Created at or after."), "Orders created at or after this time."),
            S.parameter("to", in: "query", APITime.schema("Created before."), "Orders created before this time; after from."),
        ]
        return [
            Route(method: "get", path: "/admin/v1/stats/overview", operation: S.operation(
                "admin-reports", "Overview", "Today and yesterday in the shop's time zone (default Asia/Shanghai).",
                security: .admin, data: S.ref("StatsOverview"), errors: [401, 500, 503])),
            Route(method: "get", path: "/admin/v1/stats/sales", operation: S.operation(
                "admin-reports", "Sales series",
                "Orders, paid orders, GMV and money received per day or hour of the shop's time zone, zero-filled. At most \(SalesGranularity.day.rangeMsMax / 86_400_000) days by day, \(SalesGranularity.hour.rangeMsMax / 86_400_000) days by hour.",
                security: .admin,
                parameters: [
                    S.parameter("from", in: "query", required: true, APITime.schema("Start, inclusive."), "Start, inclusive."),
                    S.parameter("to", in: "query", required: true, APITime.schema("End, exclusive."),
                                "End, exclusive; after from, and at most the granularity's range after it."),
                    S.parameter("granularity", in: "query", S.enumeration(SalesGranularity.allCases.map(\.rawValue), "Bucket size."), "day (default) or hour."),
                ],
                data: S.ref("SalesSeries"), errors: [400, 401, 500, 503])),
            Route(method: "get", path: "/admin/v1/stats/top-products", operation: S.operation(
                "admin-reports", "Top products", "Best sellers among paid orders that are not cancelled.", security: .admin,
                parameters: [
                    S.parameter("by", in: "query", S.enumeration(TopProductRanking.allCases.map(\.rawValue), "Ranking."), "quantity (default) or amount."),
                    S.parameter("limit", in: "query", ReportParameters.topProductsLimitRule.schema(
                        "Products to return.", default: Int64(TopProducts.limitDefault)), "Products to return."),
                ] + range,
                data: S.ref("TopProducts"), errors: [400, 401, 500, 503])),
            Route(method: "get", path: "/admin/v1/stats/seckill/{activityId}", operation: S.operation(
                "admin-reports", "Flash-sale report", "Units issued, sold, paid, cancelled (by timeout among them) and the paid rate, per SKU and in total.",
                security: .admin, parameters: [S.pathID("Activity id.", name: "activityId")], data: S.ref("SeckillReport"),
                errors: [400, 401, 404, 500, 503])),
        ]
    }
}
