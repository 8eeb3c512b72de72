import Synchronization

/// Requests for one shard that arrive while it is busy wait here, and the
/// shard's drainer takes them all at once: they are decided together in one
/// actor turn and their records enqueued as one WAL group. Submitting costs a
/// lock and an array append, not an actor message per request.
///
/// One drainer at a time: `submit` tells the caller to start one when none
/// runs, and `take` ends the drainer's run when nothing waits. Requests are
/// taken in submission order, so the shard decides them in that order
/// (DESIGN invariant 5).
package final class ShardInbox<Request: Sendable>: Sendable {
    private struct Queue {
        var requests: [Request] = []
        var isDraining = false
    }

    package enum Submission: Equatable {
        /// Queued; a drainer is running and will take it.
        case queued
        /// Queued; the caller must start a drainer (`take` in a loop).
        case startDrainer
        /// Not queued: `capacity` requests already wait (DESIGN invariant 8). Answer "overloaded".
        case full
    }

    private let queue = Mutex(Queue())
    /// Requests that may wait at once; beyond it `submit` refuses.
    package let capacity: Int

    package init(capacity: Int = 100_000) {
        self.capacity = max(1, capacity)
    }

    package func submit(_ request: sending Request) -> Submission {
        queue.withLock { queue in
            guard queue.requests.count < capacity else { return .full }
            queue.requests.append(request)
            defer { queue.isDraining = true }
            return queue.isDraining ? .queued : .startDrainer
        }
    }

    /// The drainer's next batch: every waiting request, after whatever `batch` still holds
    /// (an emptied `batch` lends its capacity to the queue). Returns false, ending the run,
    /// when nothing waits.
    package func take(into batch: inout [Request]) -> Bool {
        queue.withLock { queue in
            guard !queue.requests.isEmpty else {
                queue.isDraining = false
                return false
            }
            if batch.isEmpty {
                swap(&queue.requests, &batch)
            } else {
                batch.append(contentsOf: queue.requests)
                queue.requests.removeAll(keepingCapacity: true)
            }
            return true
        }
    }
}
