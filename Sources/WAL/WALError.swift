import Glibc

public enum WALError: Error, CustomStringConvertible, Equatable {
    /// A frame failed validation. `lsn` is the first LSN the frame should hold, when known.
    case corrupt(file: String, offset: Int, lsn: LSN?, reason: String)
    /// The writer was closed; nothing more is accepted.
    case closed
    /// More than `queueRecordsMax` records wait to become durable (caller answers 503).
    case overloaded
    /// A system call failed.
    case io(operation: String, errno: Int32)
    /// The writer stopped after a failed write or sync; no later record will become durable.
    case writerFailed(String)
    /// A record payload exceeds `WALLimits.recordPayloadBytesMax`.
    case recordTooLarge(sizeBytes: Int, limitBytes: Int)
    /// Records from `from` were asked for but the oldest retained segment starts at `firstAvailable`.
    case missingRecords(from: LSN, firstAvailable: LSN)
    /// Another writer (or an operator repair) has the directory open.
    case locked(directory: String)
    /// An operator request that cannot be carried out as asked.
    case invalidRequest(String)

    public var description: String {
        switch self {
        case let .corrupt(file, offset, lsn, reason):
            let lsnText = lsn.map { "LSN \($0)" } ?? "LSN unknown"
            return "WAL corrupt: \(file) at offset \(offset), \(lsnText): \(reason)"
        case .closed:
            return "WAL closed"
        case .overloaded:
            return "WAL overloaded: too many records waiting to become durable"
        case let .io(operation, errno):
            return "WAL I/O failed: \(operation): \(String(cString: strerror(errno))) (errno \(errno))"
        case let .writerFailed(reason):
            return "WAL writer failed: \(reason)"
        case let .recordTooLarge(sizeBytes, limitBytes):
            return "WAL record too large: \(sizeBytes) bytes, limit \(limitBytes)"
        case let .missingRecords(from, firstAvailable):
            return "WAL records from LSN \(from) were deleted: the oldest segment starts at LSN \(firstAvailable)"
        case let .locked(directory):
            return "WAL directory \(directory) is locked by another writer"
        case let .invalidRequest(reason):
            return "WAL request refused: \(reason)"
        }
    }
}
