/// The order's status transitions as a pure function of (status, input): no
/// I/O, no clock, no `default:`, so a new status breaks the build at every
/// input that has to decide about it (STYLE.md §4).
///
/// One machine serves three callers: the user shard asks it what to do with a
/// command (`paymentConfirmed`, `cancelRequested`), and replay and the
/// archiver ask it whether a recorded change fits the status it meets
/// (`recorded`), so a transition the live engine would refuse can never be
/// replayed or archived as if it were fine.
public struct OrderStateMachine: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        /// Log `OrderPaid`.
        case recordPayment
        /// Log `OrderCancelled` with the order's restocks.
        case cancel
        /// WeChat Pay retries callbacks: a second confirmation of the same payment is a no-op.
        case ignoreDuplicate
        /// The money arrived but this order cannot keep it: log a payment exception (a refund due).
        case recordPaymentException(PaymentExceptionRecorded.Reason)
        case reject(EngineError)
    }

    /// A status change a record carries.
    public enum Change: Equatable, Sendable {
        case paid
        case cancelled
    }

    public enum Transition: Equatable, Sendable {
        case moved(from: OrderStatus, to: OrderStatus)
        case refused(String)
    }

    public private(set) var status: OrderStatus
    public let payAmountFen: Int64
    /// The transaction that paid the order, once it is paid.
    public let transactionID: String?

    public init(status: OrderStatus, payAmountFen: Int64 = 0, transactionID: String? = nil) {
        (self.status, self.payAmountFen, self.transactionID) = (status, payAmountFen, transactionID)
    }

    public init(_ order: Order) {
        self.init(status: order.status, payAmountFen: order.payAmountFen, transactionID: order.transactionID)
    }

    public mutating func paymentConfirmed(amountFen: Int64, transactionID: String) -> Action {
        switch status {
        case .pendingPayment:
            guard amountFen == payAmountFen else { return .recordPaymentException(.amountMismatch) }
            status = .pendingShipment
            return .recordPayment
        case .pendingShipment, .pendingReceipt, .completed:
            return transactionID == self.transactionID ? .ignoreDuplicate : .recordPaymentException(.paidByAnotherTransaction)
        case .cancelled:
            // Paid after the deadline fired: the money is owed back.
            return .recordPaymentException(.orderCancelled)
        }
    }

    public mutating func cancelRequested() -> Action {
        switch status {
        case .pendingPayment:
            status = .cancelled
            return .cancel
        case .pendingShipment, .pendingReceipt, .completed, .cancelled:
            return .reject(.orderStateForbids(status: status, action: "cancelled"))
        }
    }

    /// Whether a logged change fits the current status; moves to its target when it does.
    public mutating func recorded(_ change: Change) -> Transition {
        let from = status
        switch (change, status) {
        case (.paid, .pendingPayment):
            status = .pendingShipment
        case (.cancelled, .pendingPayment):
            status = .cancelled
        case (.paid, .pendingShipment), (.paid, .pendingReceipt), (.paid, .completed), (.paid, .cancelled),
             (.cancelled, .pendingShipment), (.cancelled, .pendingReceipt), (.cancelled, .completed), (.cancelled, .cancelled):
            return .refused("an order in status \(from.rawValue) cannot be \(change)")
        }
        return .moved(from: from, to: status)
    }

    /// The status a change starts from, for a reader (the archiver) that has not seen the order yet.
    public static func expectedStatus(before change: Change) -> OrderStatus {
        switch change {
        case .paid, .cancelled: .pendingPayment
        }
    }
}
