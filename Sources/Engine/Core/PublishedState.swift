import Synchronization

/// A read-mostly value behind a lock held only to copy it out or to apply one
/// event: readers (product pages, the purchase path) never wait behind an
/// actor's queue, and get an immutable copy (copy-on-write, so reading is a
/// retain, not a deep copy).
final class PublishedState<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    init(_ initial: Value) { value = Mutex(initial) }

    var current: Value { value.withLock { $0 } }

    /// What `body` takes from the value, without copying the rest of it out.
    func read<Result: Sendable, Failure: Error>(_ body: (borrowing Value) throws(Failure) -> Result) throws(Failure) -> Result {
        try value.withLock { value throws(Failure) in try body(value) }
    }

    func update(_ change: (inout Value) -> Void) {
        value.withLock { change(&$0) }
    }
}
