import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the buyers saw while hammering a flash sale: every acknowledged
/// order, every refusal, every request that got no answer. Once `signalAfterAcks`
/// orders have been acknowledged it signals the server itself, at that exact
/// moment, while the other buyers' requests are still in flight.
actor PurchaseLedger {
    struct Ack: Sendable {
        var orderID: String
        var buyer: Buyer
        var quantity: Int64
        var status: String?
    }

    struct Summary: Sendable {
        var acks: [Ack]
        var refusals: [Int64: Int]
        var unexpected: [String]
        var unanswered: Int
        var unansweredSentBeforeSignal: Int
        /// Why requests sent before the signal got no answer (transport error → count).
        var unansweredBeforeSignalCauses: [String: Int]
        /// Orders answered after the signal was sent: purchases the server was still working on.
        var acksAfterSignal: Int
        var signalled: Bool

        var ackedUnits: Int64 { acks.reduce(0) { $0 + $1.quantity } }
    }

    private let signalAfterAcks: Int
    private let pid: Int32
    private let signal: Int32
    private var acks: [Ack] = []
    private var refusals: [Int64: Int] = [:]
    private var unexpected: [String] = []
    private var unanswered = 0
    private var unansweredSentBeforeSignal = 0
    private var acksAfterSignal = 0
    private var unansweredBeforeSignalCauses: [String: Int] = [:]
    private(set) var signalled = false
    /// Requests sent and not answered yet.
    private var inFlight = 0

    /// Sends `signal` to `pid` once `afterAcks` orders are acknowledged; by default only records.
    init(afterAcks: Int = .max, send signal: Int32 = 0, to pid: Int32 = 0) {
        precondition(afterAcks == .max || pid > 0, "the server to signal is not running")
        (signalAfterAcks, self.pid, self.signal) = (afterAcks, pid, signal)
    }

    /// Call before sending a purchase. Returns whether the signal has not been sent yet.
    func sending() -> Bool {
        inFlight += 1
        return !signalled
    }

    /// Call when a purchase's request ended, answered or not.
    func answered() { inFlight -= 1 }

    /// The signal goes once `afterAcks` orders are acknowledged and another purchase is
    /// on its way, so the signal always lands in the middle of the rush, however the
    /// machine schedules the client's tasks.
    func acknowledged(_ ack: Ack) {
        acks.append(ack)
        if signalled { acksAfterSignal += 1 }
        if !signalled && acks.count >= signalAfterAcks && inFlight > 0 {
            signalled = true
            _ = kill(pid, signal)
        }
    }

    func refused(code: Int64) { refusals[code, default: 0] += 1 }
    func unexpected(_ text: String) { unexpected.append(text) }

    func unanswered(sentBeforeSignal: Bool, cause: any Error) {
        unanswered += 1
        if sentBeforeSignal {
            unansweredSentBeforeSignal += 1
            unansweredBeforeSignalCauses[String(String(describing: cause).prefix(120)), default: 0] += 1
        }
    }

    func summary() -> Summary {
        Summary(acks: acks, refusals: refusals, unexpected: unexpected, unanswered: unanswered,
                unansweredSentBeforeSignal: unansweredSentBeforeSignal,
                unansweredBeforeSignalCauses: unansweredBeforeSignalCauses, acksAfterSignal: acksAfterSignal, signalled: signalled)
    }
}
