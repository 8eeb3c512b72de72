import Engine
import Logging
import PostgresNIO

/// Writes an `ArchiveBatch` inside the caller's open transaction: one bulk statement per table
/// (`INSERT ... SELECT ... FROM unnest($1::bigint[], ...)`), never one per row, then the checkpoint.
/// New order rows are plain inserts (see BatchWriter+Orders.swift); catalog rows are upserts
/// (BatchWriter+Catalog.swift).
///
/// Every value travels as a bind parameter. PostgresNIO arrays carry no NULLs, so a missing
/// bigint is sent as `noValue` and a missing text as '' and turned into NULL by `NULLIF` in SQL.
struct BatchWriter: Sendable {
    let logger: Logger

    /// Rows per statement: bounds the size of one bind message and of one unnest.
    static let rowsPerStatementMax = 20_000
    /// Stands for NULL in bigint arrays (no real id, time or LSN is Int64.min).
    static let noValue = Int64.min

    /// Writes everything and moves the checkpoint to `batch.lastLSN`.
    /// - Returns: rows inserted or updated.
    /// - Throws: `ArchiveError.checkpointMoved` when the checkpoint is not `batch.afterLSN` (taken
    ///   with `FOR UPDATE`, so a second archiver waits for the first and then refuses);
    ///   `ArchiveError.rowsMissing` when an update finds fewer rows than it should.
    func write(_ batch: ArchiveBatch, on connection: PostgresConnection) async throws -> Int {
        try await write(batch, knownSpecs: [:], on: connection).rows
    }

    /// As `write(_:on:)`; `knownSpecs` are SKU specs read before (SKUs never change), and the result
    /// says which specs this batch used, for the caller to keep once the transaction commits.
    func write(_ batch: ArchiveBatch, knownSpecs: [UInt64: String],
               on connection: PostgresConnection) async throws -> (rows: Int, specBySKU: [UInt64: String]) {
        let checkpoint = try await lockCheckpoint(connection)
        if let expected = batch.afterLSN, checkpoint != expected {
            throw ArchiveError.checkpointMoved(expected: expected, found: checkpoint)
        }
        // Read before the batch's own rows exist: whatever is read here has been committed.
        let specBySKU = try await specs(for: batch, known: knownSpecs, connection)
        var rows = try await writeCatalog(batch, on: connection)
        rows += try await writeOrders(batch, specBySKU: specBySKU, on: connection)
        rows += try await writeCounters(batch, on: connection)
        try await moveCheckpoint(to: batch.lastLSN, recordMs: batch.lastRecordMs, on: connection)
        return (rows, specBySKU)
    }

    func readCheckpoint(_ connection: PostgresConnection) async throws -> UInt64 {
        let rows = try await connection.query("SELECT lsn FROM archive_checkpoint WHERE id = 1", logger: logger)
        for try await lsn in rows.decode(Int64.self) { return UInt64(max(0, lsn)) }
        throw ArchiveError.notMigrated
    }

    func lockCheckpoint(_ connection: PostgresConnection) async throws -> UInt64 {
        let rows = try await connection.query("SELECT lsn FROM archive_checkpoint WHERE id = 1 FOR UPDATE", logger: logger)
        for try await lsn in rows.decode(Int64.self) { return UInt64(max(0, lsn)) }
        throw ArchiveError.notMigrated
    }

    func moveCheckpoint(to lsn: UInt64, recordMs: Int64?, on connection: PostgresConnection) async throws {
        try await connection.query("""
            UPDATE archive_checkpoint
            SET lsn = \(lsn.bigint), record_time = to_timestamp(NULLIF(\(recordMs ?? Self.noValue), \(Self.noValue)) / 1000.0),
                updated_at = now()
            WHERE id = 1
            """, logger: logger)
    }

    private func writeCatalog(_ batch: ArchiveBatch, on connection: PostgresConnection) async throws -> Int {
        var rows = 0
        rows += try await each(batch.admins.values.sorted { $0.id < $1.id }) { try await insertAdmins($0, connection) }
        rows += try await each(batch.users) { try await insertUsers($0, connection) }
        rows += try await each(batch.deletedCategoryIDs.sorted()) { try await deleteCategories($0, connection) }
        rows += try await each(batch.categories.values.sorted { $0.id < $1.id }) { try await upsertCategories($0, connection) }
        rows += try await each(batch.products.values.sorted { $0.id < $1.id }) { try await upsertProducts($0, connection) }
        rows += try await each(batch.productPatches.values.sorted { $0.id < $1.id }) { try await patchProducts($0, connection) }
        rows += try await each(batch.skus.values.sorted { $0.id < $1.id }) { try await upsertSKUs($0, connection) }
        rows += try await each(batch.activities) { try await insertActivities($0, connection) }
        rows += try await each(batch.seckillItems) { try await insertSeckillItems($0, connection) }
        rows += try await each(batch.removedSeckillItems.sorted()) { try await removeSeckillItems($0, connection) }
        return rows
    }

    private func writeOrders(_ batch: ArchiveBatch, specBySKU: [UInt64: String],
                             on connection: PostgresConnection) async throws -> Int {
        var rows = 0
        rows += try await each(batch.newOrders.values.sorted { $0.id < $1.id }) { try await insertOrders($0, connection) }
        rows += try await each(batch.orderItems) { try await insertOrderItems($0, specBySKU: specBySKU, connection) }
        rows += try await each(batch.orderUpdates.values.sorted { $0.id < $1.id }) { updates in
            let found = try await updateOrders(updates, connection)
            guard found == updates.count else { throw ArchiveError.rowsMissing(table: "orders", expected: updates.count, found: found) }
            return found
        }
        rows += try await each(batch.statusHistory) { try await insertStatusHistory($0, connection) }
        rows += try await each(batch.payments) { try await insertPayments($0, connection) }
        rows += try await each(batch.stockLogs) { try await insertStockLogs($0, connection) }
        return rows
    }

    private func writeCounters(_ batch: ArchiveBatch, on connection: PostgresConnection) async throws -> Int {
        var rows = 0
        let seckill = batch.seckillDeltas.filter { $0.value != SeckillDelta() }.sorted { $0.key < $1.key }
        rows += try await each(seckill) { deltas in
            let found = try await updateSeckillItems(deltas, connection)
            guard found == deltas.count else { throw ArchiveError.rowsMissing(table: "seckill_items", expected: deltas.count, found: found) }
            return found
        }
        let stock = batch.skuStockDeltas.filter { $0.value != 0 }.sorted { $0.key < $1.key }
        rows += try await each(stock) { deltas in
            let found = try await updateSKUStock(deltas, connection)
            guard found == deltas.count else { throw ArchiveError.rowsMissing(table: "product_skus", expected: deltas.count, found: found) }
            return found
        }
        rows += try await each(batch.paidOrderIDs) { try await addProductSales(paidOrderIDs: $0, connection) }
        return rows
    }

    /// Runs `body` on consecutive slices of at most `rowsPerStatementMax` rows; sums what it returns.
    private func each<Row>(_ rows: [Row], _ body: (ArraySlice<Row>) async throws -> Int) async throws -> Int {
        var total = 0
        var start = rows.startIndex
        while start < rows.endIndex {
            let end = min(start + Self.rowsPerStatementMax, rows.endIndex)
            total += try await body(rows[start..<end])
            start = end
        }
        return total
    }

    /// Runs a statement of the form `WITH written AS (... RETURNING 1) SELECT count(*) FROM written`.
    func count(_ query: PostgresQuery, _ connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(query, logger: logger)
        var count: Int64 = 0
        for try await value in rows.decode(Int64.self) { count = value }
        return Int(count)
    }
}
