/// Continuations waiting for an LSN to become durable.
///
/// Unsorted, with the highest LSN tracked: with group commit nearly every publish releases every
/// waiter at once, which then costs O(1) (the array is handed over whole). Only waiters for LSNs
/// beyond the published one are scanned again, and those are at most the records enqueued during
/// one write + sync (bounded by `queueRecordsMax`).
struct WaiterList {
    typealias Continuation = CheckedContinuation<Result<Void, WALError>, Never>

    struct Waiter {
        var lsn: LSN
        var continuation: Continuation
    }

    private var storage: [Waiter] = []
    private var lsnMax: LSN = 0

    var count: Int { storage.count }

    /// - Complexity: amortized O(1).
    mutating func append(_ lsn: LSN, _ continuation: Continuation) {
        storage.append(Waiter(lsn: lsn, continuation: continuation))
        lsnMax = max(lsnMax, lsn)
    }

    /// Removes and returns every waiter with `lsn <= durableLSN`.
    /// - Complexity: O(1) when all are ready, else O(n).
    mutating func removeAll(through durableLSN: LSN) -> [Waiter] {
        if lsnMax <= durableLSN { return removeAll() }
        var ready: [Waiter] = []
        var remaining: [Waiter] = []
        remaining.reserveCapacity(storage.count)
        lsnMax = 0
        for waiter in storage {
            if waiter.lsn <= durableLSN {
                ready.append(waiter)
            } else {
                remaining.append(waiter)
                lsnMax = max(lsnMax, waiter.lsn)
            }
        }
        storage = remaining
        assert(storage.allSatisfy { $0.lsn > durableLSN }, "every waiter left must wait beyond \(durableLSN)")
        return ready
    }

    /// Removes and returns every waiter.
    mutating func removeAll() -> [Waiter] {
        defer {
            storage = []
            lsnMax = 0
        }
        return storage
    }
}
