/// The order's status transitions as a pure function of (status, input):
/// no I/O, no clock, no `default:`, so a new status breaks the build at every
/// input that has to decide about it (STYLE.md §4).
public struct OrderStateMachine: Equatable, Sendable {
    public enum Action: Equatable, Sendable {
        case recordPayment
        case cancel
        case reject(EngineError)
        /// WeChat Pay retries callbacks: a second confirmation of the same payment is a no-op.
        case ignoreDuplicate
    }

    public private(set) var status: OrderStatus
    public let payAmountFen: Int64

    public init(status: OrderStatus, payAmountFen: Int64) {
        self.status = status
        self.payAmountFen = payAmountFen
    }

    public mutating func paymentConfirmed(amountFen: Int64) -> Action {
        switch status {
        case .pendingPayment:
            guard amountFen == payAmountFen else {
                return .reject(.paymentMismatch(expectedFen: payAmountFen, gotFen: amountFen))
            }
            status = .pendingShipment
            return .recordPayment
        case .pendingShipment, .pendingReceipt, .completed:
            return .ignoreDuplicate
        case .cancelled:
            // A payment after the timeout fired: the refund path arrives with the payments issue.
            return .reject(.orderStateForbids(status: status, action: "paid"))
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
}
