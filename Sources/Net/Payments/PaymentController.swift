import Engine
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import WeChat

/// How payments are confirmed. In sandbox mode (`mall serve --sandbox`) the
/// sandbox gateway plays WeChat Pay: it signs and encrypts a real payment
/// notification, which goes through the same verification path as one from
/// WeChat Pay (DESIGN "External services"). Without it, and with no merchant
/// configured, the routes that need a gateway answer 503 naming the setting:
/// the sandbox is never a fallback.
public struct PaymentService: Sendable {
    public let sandbox: SandboxPayGateway?
    /// Checks notifications; nil when no gateway is configured.
    public let verifier: WeChatPayNotificationVerifier?

    public init(sandbox: SandboxPayGateway?) {
        self.sandbox = sandbox
        self.verifier = sandbox?.verifier
    }

    /// No sandbox and no merchant: nothing can be paid.
    public static let unconfigured = PaymentService(sandbox: nil)

    /// Names the setting that would let orders be paid; there is no merchant configuration yet.
    static let unconfiguredMessage =
        "WeChat Pay is not configured on this server: start it with --sandbox (or MALL_SANDBOX=1) to pay through the sandbox"
}

struct PaymentController {
    let engine: MallEngine
    let payments: PaymentService

    func addUserRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("orders/:id/pay", use: pay)
    }

    func addAdminRoutes(to group: RouterGroup<MallRequestContext>) {
        group.get("payments/exceptions", use: exceptions)
    }

    func addNotificationRoutes(to group: RouterGroup<MallRequestContext>) {
        group.post("payments/wechat/notify", use: notify)
    }

    static let exceptionsLimitMax = 100

    /// Payments WeChat Pay made that no order could keep: refunds due, newest first.
    @Sendable func exceptions(_ request: Request, context: MallRequestContext) async throws -> Envelope<PaymentExceptionList> {
        let query = request.uri.queryParameters
        let limit = try query.get("limit").map { text throws(APIError) -> Int in
            guard let value = Int(text), (1...Self.exceptionsLimitMax).contains(value) else {
                throw APIError.invalid("limit", "must be 1 to \(Self.exceptionsLimitMax)")
            }
            return value
        } ?? 20
        let offset = try query.get("cursor").map { text throws(APIError) -> Int in
            guard text.utf8.count <= 9, let value = Int(text), value >= 0 else {
                throw APIError.invalid("cursor", "must be the nextCursor of the previous page")
            }
            return value
        } ?? 0
        let all = engine.payments.sorted
        let page = all.dropFirst(offset).prefix(limit)
        let next = offset + page.count < all.count ? String(offset + page.count) : nil
        return Envelope(PaymentExceptionList(items: page.map(PaymentExceptionResponse.init), nextCursor: next))
    }

    /// Sandbox: pays the order at once through a signed notification.
    @Sendable func pay(_ request: Request, context: MallRequestContext) async throws -> Envelope<OrderResponse> {
        let userID = try context.requireUserID()
        let id = try EntityID.parse(context.parameters.get("id"), field: "id")
        guard let order = await engine.order(id: id, ownedBy: userID) else { throw APIError(.notFound, "order not found") }
        guard order.status == .pendingPayment else {
            throw APIError(.orderStateForbids, "an order in status \(order.status.rawValue) cannot be paid")
        }
        guard let sandbox = payments.sandbox, let verifier = payments.verifier else {
            throw APIError(.unavailable, PaymentService.unconfiguredMessage)
        }
        let payer = await engine.user(id: userID)
        let transaction = PaymentTransaction(
            outTradeNo: order.orderNo, transactionID: SandboxPayGateway.makeTransactionID(), tradeState: PaymentTransaction.tradeStateSuccess,
            amountTotalFen: order.payAmountFen, payerOpenID: payer?.openID ?? "", successTime: APITime.format(ms: engine.nowMs),
            mchID: "sandbox", appID: "sandbox")
        let notification = try sandbox.notification(for: transaction, now: Date())
        switch try await confirm(try verifier.verify(notification, now: Date())) {
        case .paid(let paid):
            return Envelope(OrderResponse(paid))
        case .exception(let exception):
            // The order changed between the check above and the payment (the deadline fired).
            throw APIError(.orderStateForbids, "the payment was recorded as a refund due (\(exception.reason.name))")
        }
    }

    /// WeChat Pay's notify_url: verify the signature, decrypt, confirm. Replies
    /// 204 on success, or an error WeChat Pay will retry.
    @Sendable func notify(_ request: Request, context: MallRequestContext) async throws -> Response {
        guard let verifier = payments.verifier else {
            // Nothing could check the signature; WeChat Pay retries once a gateway is configured.
            return Self.response(.failure(status: 503, message: PaymentService.unconfiguredMessage))
        }
        let body = try await request.body.collect(upTo: WeChatPayNotificationVerifier.bodyBytesMax)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let reply: PayNotificationReply
        do {
            let transaction = try verifier.verify(PayNotification(headers: headers, body: String(buffer: body)), now: Date())
            _ = try await confirm(transaction)
            reply = .success
        } catch let error as WeChatPayError {
            context.logger.warning("payment notification refused", metadata: ["error": "\(error)"])
            reply = .failure(error)
        } catch let error as APIError where error.code == .conflict {
            // A notification of a trade state that is not a payment: nothing to record, nothing to retry.
            context.logger.info("payment notification ignored", metadata: ["reason": "\(error.message)"])
            reply = .success
        } catch {
            context.logger.error("payment notification not processed", metadata: ["error": "\(error)"])
            reply = .failure(status: 500, message: "not processed; retry")
        }
        return Self.response(reply)
    }

    private static func response(_ reply: PayNotificationReply) -> Response {
        var response = Response(status: HTTPResponse.Status(code: reply.status))
        if let text = reply.body {
            response.headers[.contentType] = PayNotificationReply.contentType
            response.body = ResponseBody(byteBuffer: ByteBuffer(string: text))
        }
        return response
    }

    /// A verified payment is never refused: one that no order can keep is
    /// recorded as a refund due and acknowledged, so WeChat Pay stops retrying.
    private func confirm(_ transaction: PaymentTransaction) async throws -> MallEngine.PaymentOutcome {
        guard transaction.isPaid else { throw APIError(.conflict, "trade state \(transaction.tradeState) is not a payment") }
        return try await engine.confirmPayment(orderNo: transaction.outTradeNo, transactionID: transaction.transactionID,
                                               amountFen: transaction.amountTotalFen)
    }
}

struct PaymentExceptionResponse: Encodable, Sendable {
    var transactionId: String
    var orderNo: String
    var orderId: EntityID?
    var amountFen: Int64
    var reason: String
    var recordedAt: String

    init(_ exception: PaymentException) {
        transactionId = exception.transactionID
        orderNo = exception.orderNo
        orderId = exception.orderID == 0 ? nil : EntityID(exception.orderID)
        amountFen = exception.amountFen
        reason = exception.reason.name
        recordedAt = APITime.format(ms: exception.recordedAtMs)
    }
}

struct PaymentExceptionList: Encodable, Sendable {
    var items: [PaymentExceptionResponse]
    var nextCursor: String?
}
