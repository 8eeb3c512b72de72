import Foundation

/// The decrypted transaction of a payment notification (reference section 5.6),
/// reduced to what an order needs. Amounts are integer fen.
///
/// The merchant must still check `mchID`, `appID`, `outTradeNo` and
/// `amountTotalFen` against its order before applying it.
public struct PaymentTransaction: Sendable, Equatable {
    public var outTradeNo: String
    public var transactionID: String
    /// `SUCCESS`, `REFUND`, `NOTPAY`, `CLOSED`, `REVOKED`, `USERPAYING`, `PAYERROR`.
    public var tradeState: String
    public var amountTotalFen: Int64
    public var payerOpenID: String
    /// RFC 3339 with offset, e.g. `2024-01-01T12:00:01+08:00`.
    public var successTime: String?
    public var mchID: String
    public var appID: String

    public static let tradeStateSuccess = "SUCCESS"

    public init(
        outTradeNo: String, transactionID: String, tradeState: String, amountTotalFen: Int64,
        payerOpenID: String, successTime: String?, mchID: String, appID: String
    ) {
        self.outTradeNo = outTradeNo
        self.transactionID = transactionID
        self.tradeState = tradeState
        self.amountTotalFen = amountTotalFen
        self.payerOpenID = payerOpenID
        self.successTime = successTime
        self.mchID = mchID
        self.appID = appID
    }

    public var isPaid: Bool { tradeState == Self.tradeStateSuccess }
}

/// The transaction JSON as WeChat Pay writes it (snake_case, nested amount and payer).
struct TransactionJSON: Codable {
    struct Amount: Codable {
        var total: Int64
        var payer_total: Int64?
        var currency: String?
        var payer_currency: String?
    }

    struct Payer: Codable {
        var openid: String
    }

    var appid: String
    var mchid: String
    var out_trade_no: String
    var transaction_id: String
    var trade_type: String?
    var trade_state: String
    var trade_state_desc: String?
    var bank_type: String?
    var attach: String?
    var success_time: String?
    var payer: Payer
    var amount: Amount

    init(_ transaction: PaymentTransaction) {
        let isPaid = transaction.isPaid
        appid = transaction.appID
        mchid = transaction.mchID
        out_trade_no = transaction.outTradeNo
        transaction_id = transaction.transactionID
        trade_type = "JSAPI"
        trade_state = transaction.tradeState
        trade_state_desc = isPaid ? "支付成功" : nil
        bank_type = isPaid ? "OTHERS" : nil
        attach = ""
        success_time = transaction.successTime
        payer = Payer(openid: transaction.payerOpenID)
        amount = Amount(
            total: transaction.amountTotalFen, payer_total: transaction.amountTotalFen,
            currency: "CNY", payer_currency: "CNY")
    }

    var transaction: PaymentTransaction {
        PaymentTransaction(
            outTradeNo: out_trade_no, transactionID: transaction_id, tradeState: trade_state,
            amountTotalFen: amount.total, payerOpenID: payer.openid, successTime: success_time,
            mchID: mchid, appID: appid)
    }
}
