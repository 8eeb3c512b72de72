import Synchronization

/// A clock that moves only when a test says so; the access token provider
/// and the fake WeChat host read the same one.
final class TestClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Swift.Duration

        func advanced(by duration: Swift.Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Swift.Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let offset = Mutex<Swift.Duration>(.zero)

    var now: Instant { Instant(offset: offset.withLock { $0 }) }
    var minimumResolution: Swift.Duration { .nanoseconds(1) }

    func advance(by duration: Swift.Duration) {
        precondition(duration >= .zero, "a test clock only moves forward")
        offset.withLock { $0 += duration }
    }

    /// Nothing under test sleeps on this clock; should something start to,
    /// it waits until a test advances the clock past `deadline`.
    func sleep(until deadline: Instant, tolerance: Swift.Duration?) async throws {
        while now < deadline { try await Task.sleep(for: .milliseconds(1)) }
    }
}
