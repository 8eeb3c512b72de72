import Foundation
import Logging
import PostgresNIO

/// Which stock movements the back office's stock log shows. Every field is optional.
public struct StockLogFilter: Sendable, Equatable {
    public var skuID: UInt64?
    /// One of `StockLogFilter.types`.
    public var type: String?
    /// `created_at >= fromMs` (epoch ms, inclusive).
    public var fromMs: Int64?
    /// `created_at < toMs` (epoch ms, exclusive).
    public var toMs: Int64?

    public init(skuID: UInt64? = nil, type: String? = nil, fromMs: Int64? = nil, toMs: Int64? = nil) {
        (self.skuID, self.type, self.fromMs, self.toMs) = (skuID, type, fromMs, toMs)
    }

    /// Every `stock_logs.type` the archiver writes (see `StockLogType`).
    public static let types = StockLogType.all

    func validate() throws(ReportError) {
        if let type, !Self.types.contains(type) {
            throw .invalidArgument(field: "type", rule: "must be one of \(Self.types.joined(separator: ", "))")
        }
        if let fromMs, let toMs, toMs <= fromMs {
            throw .invalidArgument(field: "to", rule: "must be after from")
        }
    }
}

/// One movement of a SKU's stock (or of a flash-sale item's, on a flash-sale order's rows).
public struct StockLogEntry: Sendable, Equatable {
    public var id: String
    public var skuId: String
    /// From the archive's SKU row; nil when the archive does not hold the SKU.
    public var productId: String?
    public var productName: String?
    public var skuName: String?
    public var type: String
    public var change: Int64
    public var orderId: String?
    public var activityId: String?
    public var remark: String?
    /// The admin who moved the units; nil for orders and the engine's own moves.
    public var operatorId: String?
    public var createdAt: String
}

public struct StockLogPage: Sendable, Equatable {
    public var items: [StockLogEntry]
    /// Nil on the last page.
    public var nextCursor: String?
}

/// The back office's stock log: newest first, keyset pages on (created_at, id).
public struct StockLogQueries: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger = Logger(label: "mall.archive.reports")) {
        (self.client, self.logger) = (client, logger)
    }

    /// - Complexity: O(limit) rows read (index range scan on created_at, or on sku_id/type then created_at).
    public func list(filter: StockLogFilter, cursor text: String?, limit: Int) async throws -> StockLogPage {
        try filter.validate()
        guard (1...PageRequest.limitMax).contains(limit) else {
            throw ReportError.invalidArgument(field: "limit", rule: "must be 1 to \(PageRequest.limitMax)")
        }
        let cursor = try text.map { text throws(ReportError) in try StockLogCursor(decoding: text) }
        let query = Self.listQuery(filter, after: cursor, limit: limit + 1)
        let logger = logger
        let rows = try await ReportError.mappingConnectionErrors {
            var rows: [(entry: StockLogEntry, cursor: StockLogCursor)] = []
            for try await row in try await client.query(query, logger: logger) { rows.append(try Self.entry(row)) }
            return rows
        }
        let page = rows.prefix(limit)
        let next = rows.count > limit ? page.last?.cursor.encoded : nil
        return StockLogPage(items: page.map { $0.entry }, nextCursor: next)
    }

    static func listQuery(_ filter: StockLogFilter, after cursor: StockLogCursor?, limit: Int) -> PostgresQuery {
        var sql = ReportSQL("""
            SELECT l.id, l.sku_id, l.type, l.change, l.order_id, l.activity_id, l.remark, l.operator_id,
                   floor(extract(epoch FROM l.created_at) * 1000000)::bigint AS created_us,
                   s.product_id, s.name AS sku_name, p.name AS product_name
              FROM stock_logs l
              LEFT JOIN product_skus s ON s.id = l.sku_id
              LEFT JOIN products p ON p.id = s.product_id
             WHERE TRUE
            """)
        if let skuID = filter.skuID {
            sql.append(" AND l.sku_id = ")
            // Ids are bigint; one beyond Int64 matches nothing.
            if let value = Int64(exactly: skuID) { sql.bind(value) } else { sql.append("NULL") }
        }
        if let type = filter.type {
            sql.append(" AND l.type = ")
            sql.bind(type)
        }
        if let fromMs = filter.fromMs {
            sql.append(" AND l.created_at >= ")
            sql.bindTime(ms: fromMs)
        }
        if let toMs = filter.toMs {
            sql.append(" AND l.created_at < ")
            sql.bindTime(ms: toMs)
        }
        if let cursor {
            sql.append(" AND (l.created_at, l.id) < (")
            sql.bindTime(us: cursor.createdUs)
            sql.append(", ")
            sql.bind(cursor.id)
            sql.append(")")
        }
        sql.append(" ORDER BY l.created_at DESC, l.id DESC LIMIT ")
        sql.bind(Int64(limit))
        return sql.query
    }

    static func entry(_ row: PostgresRow) throws -> (entry: StockLogEntry, cursor: StockLogCursor) {
        let cells = row.makeRandomAccess()
        let id = try cells["id"].decode(Int64.self)
        let createdUs = try cells["created_us"].decode(Int64.self)
        let activityID = try cells["activity_id"].decode(Int64.self)
        let entry = StockLogEntry(
            id: String(id), skuId: String(try cells["sku_id"].decode(Int64.self)),
            productId: try cells["product_id"].decode(Int64?.self).map { String($0) },
            productName: try cells["product_name"].decode(String?.self),
            skuName: try cells["sku_name"].decode(String?.self),
            type: try cells["type"].decode(String.self), change: try cells["change"].decode(Int64.self),
            orderId: try cells["order_id"].decode(Int64?.self).map { String($0) },
            activityId: activityID == 0 ? nil : String(activityID),
            remark: try cells["remark"].decode(String?.self),
            operatorId: try cells["operator_id"].decode(Int64?.self).map { String($0) },
            createdAt: ReportTime.iso8601(ms: createdUs.floorDivided(by: 1000)))
        return (entry, StockLogCursor(createdUs: createdUs, id: id))
    }
}

/// Where a stock-log page ends: the last row's time (epoch µs) and id, sent as opaque URL-safe
/// base64 of `s1:<created_us>:<id>`.
struct StockLogCursor: Sendable, Equatable {
    var createdUs: Int64
    var id: Int64

    static let version = "s1"
    static let encodedBytesMax = 200

    init(createdUs: Int64, id: Int64) { (self.createdUs, self.id) = (createdUs, id) }

    var encoded: String {
        Data("\(Self.version):\(createdUs):\(id)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    init(decoding text: String) throws(ReportError) {
        let refusal = ReportError.invalidCursor(reason: "is not a stock-log cursor this server issued")
        guard !text.isEmpty, text.utf8.count <= Self.encodedBytesMax,
              text.utf8.allSatisfy({ $0.isBase64URL }) else { throw refusal }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64.append(String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4))
        guard let data = Data(base64Encoded: base64), let plain = String(data: data, encoding: .utf8) else { throw refusal }
        let parts = plain.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == Self.version, let createdUs = Int64(parts[1]), let id = Int64(parts[2]) else {
            throw refusal
        }
        self.init(createdUs: createdUs, id: id)
    }
}

private extension UInt8 {
    var isBase64URL: Bool {
        switch self {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"): true
        default: false
        }
    }
}
