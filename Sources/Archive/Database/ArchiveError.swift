import PostgresNIO
import WAL

/// What the archive refuses or cannot do. PostgreSQL's own errors (`PSQLError`) pass through
/// unchanged; `ArchiveError.summary(of:)` turns any error into one line safe for logs and status.
public enum ArchiveError: Error, CustomStringConvertible, Equatable {
    /// The database URL does not parse or names something unsupported. Never holds the password.
    case invalidDatabaseURL(String)
    /// The database was migrated by a newer build: this one must not write to it.
    case schemaNewerThanBinary(found: Int, known: Int)
    /// The checkpoint row moved under this archiver (another archiver, or a rebuild): the batch was
    /// rolled back and the archiver resumes from the checkpoint in the database.
    case checkpointMoved(expected: UInt64, found: UInt64)
    /// The archive holds records the WAL does not: it belongs to another data directory, or the
    /// WAL was reset. Nothing is written until an operator rebuilds it.
    case checkpointAhead(checkpoint: UInt64, durable: UInt64)
    /// An update found fewer rows than the records say exist: the archive lost rows or was edited.
    case rowsMissing(table: String, expected: Int, found: Int)
    /// A durable WAL record this build cannot decode, or a gap in the log.
    case badRecord(lsn: UInt64, reason: String)
    /// The WAL could not be read (missing segments, corruption, I/O).
    case walUnreadable(String)
    /// Engine state could not be rebuilt for a rebuild or verify.
    case engineState(String)
    /// Another catch-up or the background loop is already writing through this archiver.
    case busy
    /// The archive has no checkpoint row: it was never migrated, or its tables were dropped.
    case notMigrated
    /// A batch took longer than `batchTimeoutMs`; its connection was abandoned and it is retried.
    case batchTimedOut(ms: Int)

    public var description: String {
        switch self {
        case .invalidDatabaseURL(let reason):
            "invalid database URL: \(reason)"
        case .schemaNewerThanBinary(let found, let known):
            "the archive schema is at version \(found) but this build knows only up to \(known): "
                + "upgrade mall before pointing it at this database"
        case .checkpointMoved(let expected, let found):
            "the archive checkpoint moved from \(expected) to \(found) under this archiver; resuming from the database"
        case .checkpointAhead(let checkpoint, let durable):
            "the archive checkpoint \(checkpoint) is past the WAL's durable LSN \(durable): "
                + "the archive belongs to another data directory or the WAL was reset (run mall archive rebuild)"
        case .rowsMissing(let table, let expected, let found):
            "\(table): expected \(expected) rows to update, found \(found); the archive is missing rows (rebuild it)"
        case .badRecord(let lsn, let reason):
            "WAL record \(lsn): \(reason)"
        case .walUnreadable(let reason):
            "cannot read the WAL: \(reason)"
        case .engineState(let reason):
            "cannot rebuild engine state: \(reason)"
        case .busy:
            "the archiver is already writing (background loop or another catch-up)"
        case .notMigrated:
            "the archive has no checkpoint row: run the migrations first"
        case .batchTimedOut(let ms):
            "an archive batch took longer than \(ms) ms; its connection was abandoned and the batch is retried"
        }
    }

    /// The error inside a `PostgresTransactionError`: what went wrong in the transaction (an
    /// `ArchiveError` thrown by the writer stays one), or in BEGIN/COMMIT; other errors unchanged.
    static func unwrapped(_ error: any Error) -> any Error {
        guard let error = error as? PostgresTransactionError else { return error }
        return error.closureError ?? error.commitError ?? error.beginError ?? error
    }

    /// Runs a transaction body, rethrowing what failed inside it rather than PostgresNIO's wrapper.
    static func unwrapping<T>(isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw unwrapped(error)
        }
    }

    /// One line for logs, `/readyz` and `mall archive status`: PostgreSQL's code, SQLSTATE and
    /// message, or the connection failure. No SQL text, binds or credentials.
    public static func summary(of error: any Error) -> String {
        if let error = error as? PSQLError { return summary(of: error) }
        if error is PostgresTransactionError, !(unwrapped(error) is PostgresTransactionError) { return summary(of: unwrapped(error)) }
        return "\(error)"
    }

    static func summary(of error: PSQLError) -> String {
        var parts = ["PostgreSQL \(error.code)"]
        if let state = error.serverInfo?[.sqlState] { parts.append(state) }
        if let message = error.serverInfo?[.message] { parts.append(message) }
        if let underlying = error.underlying { parts.append("\(underlying)") }
        return parts.joined(separator: ": ")
    }
}
