/// Order status as the spec names it: 待付款 → 待发货 → 待收货 → 已完成, or 已取消.
public enum OrderStatus: String, Sendable, CaseIterable, Codable {
    case pendingPayment = "pending_payment"
    case pendingShipment = "pending_shipment"
    case pendingReceipt = "pending_receipt"
    case completed
    case cancelled

    var code: UInt8 {
        switch self {
        case .pendingPayment: 0
        case .pendingShipment: 1
        case .pendingReceipt: 2
        case .completed: 3
        case .cancelled: 4
        }
    }

    init(code: UInt8) throws(ByteDecodingError) {
        switch code {
        case 0: self = .pendingPayment
        case 1: self = .pendingShipment
        case 2: self = .pendingReceipt
        case 3: self = .completed
        case 4: self = .cancelled
        default: throw .invalid("order status \(code)")
        }
    }
}

public enum CancelReason: String, Sendable, Codable {
    case user, timeout, admin

    var code: UInt8 {
        switch self {
        case .user: 0
        case .timeout: 1
        case .admin: 2
        }
    }

    init(code: UInt8) throws(ByteDecodingError) {
        switch code {
        case 0: self = .user
        case 1: self = .timeout
        case 2: self = .admin
        default: throw .invalid("cancel reason \(code)")
        }
    }
}
