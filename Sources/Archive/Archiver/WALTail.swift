import Engine
import PostgresNIO // re-exports NIO, whose NIOThreadPool runs the blocking reads
import WAL

/// Reads durable records off the WAL for the archiver, on a blocking-I/O thread pool: segment
/// reads, CRC checks and LZ4 must not occupy the cooperative pool that serves requests.
///
/// Each read scans the segment holding its first LSN from the segment's start (WALReader keeps no
/// position between calls), so a read costs O(bytes from the segment start to its last record).
struct WALTail: Sendable {
    let directory: String

    struct Record: Sendable {
        var lsn: UInt64
        var timestampMs: Int64
        var event: MallEvent
    }

    /// Records `after + 1 ... through`, at most `limit` of them, decoded, in LSN order.
    /// - Throws: `ArchiveError.walUnreadable` (missing segments, corruption), `.badRecord` (a record
    ///   this build cannot decode, or fewer records on disk than the durable LSN promises).
    func read(after: UInt64, through: UInt64, limit: Int) async throws -> [Record] {
        precondition(limit > 0, "a read must allow at least one record")
        guard through > after else { return [] }
        let last = after + min(UInt64(limit), through - after)
        let directory = self.directory
        return try await BlockingIO.run {
            var records: [Record] = []
            records.reserveCapacity(Int(last - after))
            try Self.forEach(directory: directory, from: after + 1, through: last) { record in
                let event: MallEvent
                do {
                    event = try MallEvent.decode(tag: record.typeTag, version: record.version, payload: record.payload)
                } catch {
                    throw ArchiveError.badRecord(lsn: record.lsn, reason: "\(error)")
                }
                records.append(Record(lsn: record.lsn, timestampMs: record.timestampMs, event: event))
            }
            let expected = after + UInt64(records.count) + 1
            guard records.count == Int(last - after) else {
                throw ArchiveError.badRecord(lsn: expected, reason: "durable on disk up to \(last) but the log ends before it")
            }
            return records
        }
    }

    /// The timestamp of the oldest record after `after` still on disk (through `through`), for the
    /// lag in seconds while the archive cannot write; nil when there is none.
    func oldestTimestampMs(after: UInt64, through: UInt64) async throws -> Int64? {
        guard through > after else { return nil }
        let directory = self.directory
        return try await BlockingIO.run {
            var first = after + 1
            do {
                return try Self.firstTimestamp(directory: directory, lsn: first)
            } catch ArchiveError.walUnreadable where first == after + 1 {
                // Deleted segments: the oldest record still kept is the oldest one the archive lacks.
                first = try Self.firstAvailableLSN(directory: directory) ?? first
                return try Self.firstTimestamp(directory: directory, lsn: first)
            }
        }
    }

    private static func firstTimestamp(directory: String, lsn: UInt64) throws -> Int64? {
        var timestampMs: Int64?
        try forEach(directory: directory, from: lsn, through: lsn) { timestampMs = $0.timestampMs }
        return timestampMs
    }

    private static func firstAvailableLSN(directory: String) throws -> UInt64? {
        do {
            try WALReader(directory: directory).forEach(from: 1, through: 1) { _ in }
            return nil
        } catch WALError.missingRecords(_, let firstAvailable) {
            return firstAvailable
        }
    }

    private static func forEach(directory: String, from: UInt64, through: UInt64, _ body: (WALRecord) throws -> Void) throws {
        do {
            try WALReader(directory: directory).forEach(from: from, through: through, body)
        } catch let error as WALError {
            throw ArchiveError.walUnreadable("\(error)")
        }
    }
}

/// Runs blocking disk and CPU work (WAL scans, state rebuilds) on NIO's shared blocking pool.
enum BlockingIO {
    static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive(work)
    }
}
