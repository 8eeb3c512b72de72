import PostgresNIO

/// The orders a filter selects, as a CSV file (UTF-8 with BOM, CRLF) produced
/// chunk by chunk: the BOM and header first, then one chunk per keyset batch
/// of `batchRows` orders. Pull-driven: the next batch is read only when the
/// consumer asks for it, so memory stays at one batch whatever the row count,
/// and a slow download slows the reads instead of filling a buffer.
public struct OrderExport: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer

    let queries: OrderQueries
    let filter: OrderFilter
    let batchRows: Int

    public static let batchRowsDefault = 1000
    public static let batchRowsMax = 10_000

    /// Validates the filter up front, so a bad one fails before any byte is sent.
    public init(queries: OrderQueries, filter: OrderFilter, batchRows: Int = Self.batchRowsDefault) throws(ReportError) {
        try filter.validate()
        precondition((1...Self.batchRowsMax).contains(batchRows), "batchRows must be 1 to \(Self.batchRowsMax), got \(batchRows)")
        (self.queries, self.filter, self.batchRows) = (queries, filter, batchRows)
    }

    /// Column headings: Chinese for the shop owner, the API's field name for tools.
    static let header: [String] = [
        "订单号 order_no", "订单ID order_id", "用户ID user_id", "状态 status", "取消原因 cancel_reason",
        "商品 products", "件数 item_quantity", "商品总额(分) total_amount_fen", "优惠(分) discount_amount_fen",
        "运费(分) freight_fen", "实付(分) pay_amount_fen", "支付状态 payment_status", "支付方式 payment_method",
        "支付流水号 transaction_id", "秒杀活动ID activity_id", "备注 remark", "下单时间(UTC) created_at",
        "支付截止(UTC) pay_deadline", "支付时间(UTC) paid_at", "发货时间(UTC) shipped_at",
        "完成时间(UTC) completed_at", "取消时间(UTC) cancelled_at",
    ]

    static func fields(_ order: OrderSummary) -> [CSVField] {
        [
            .text(order.orderNo), .text(order.id), .text(order.userId), .text(order.status), .text(order.cancelReason),
            .text(order.productSummary), .number(order.itemQuantity), .number(order.totalAmountFen),
            .number(order.discountAmountFen), .number(order.freightFen), .number(order.payAmountFen),
            .text(order.paymentStatus), .text(order.paymentMethod), .text(order.transactionId), .text(order.activityId),
            .text(order.remark), .text(order.createdAt), .text(order.payDeadline), .text(order.paidAt),
            .text(order.shippedAt), .text(order.completedAt), .text(order.cancelledAt),
        ]
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(export: self)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        enum Phase: Sendable {
            case header
            case rows(after: OrderCursor?)
            case finished
        }

        let export: OrderExport
        var phase = Phase.header

        init(export: OrderExport) { self.export = export }

        public mutating func next() async throws -> ByteBuffer? {
            switch phase {
            case .header:
                var buffer = ByteBuffer()
                buffer.writeBytes(CSVField.byteOrderMark)
                CSVField.appendRow(OrderExport.header.map { .text($0) }, to: &buffer)
                phase = .rows(after: nil)
                return buffer
            case .rows(let cursor):
                let query = OrderQueries.listQuery(export.filter, after: cursor, limit: export.batchRows)
                let queries = export.queries
                let rows = try await ReportError.mappingConnectionErrors {
                    try await OrderQueries.summaries(query, on: queries.client, logger: queries.logger)
                }
                guard let last = rows.last else {
                    phase = .finished
                    return nil
                }
                // A short batch is the last one: no need to ask for an empty one.
                phase = rows.count < export.batchRows ? .finished : .rows(after: last.cursor(for: export.filter.sort))
                var buffer = ByteBuffer()
                for row in rows { CSVField.appendRow(OrderExport.fields(row.summary), to: &buffer) }
                return buffer
            case .finished:
                return nil
            }
        }
    }
}
