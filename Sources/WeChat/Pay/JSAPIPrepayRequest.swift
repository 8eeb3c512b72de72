/// The merchant's part of `POST /v3/pay/transactions/jsapi` (reference section 5.4);
/// `appid` and `mchid` come from the client.
public struct JSAPIPrepayRequest: Sendable, Equatable {
    /// Shown in the user's bill; 1...127 characters.
    public var description: String
    /// 6–32 characters of digits, letters, `_` `-` `*` `|`; unique per mchid.
    public var outTradeNo: String
    /// https URL with no query string.
    public var notifyURL: String
    public var amountTotalFen: Int64
    /// The payer's openid under the same appid.
    public var payerOpenID: String
    /// Optional RFC 3339 with offset, e.g. `2024-01-01T12:30:00+08:00`.
    public var timeExpire: String?
    /// Optional, at most 128 characters; echoed in notifications.
    public var attach: String?

    public static let descriptionLengthMax = 127
    public static let outTradeNoLengthRange = 6...32
    public static let attachLengthMax = 128

    public init(
        description: String, outTradeNo: String, notifyURL: String, amountTotalFen: Int64,
        payerOpenID: String, timeExpire: String? = nil, attach: String? = nil
    ) {
        self.description = description
        self.outTradeNo = outTradeNo
        self.notifyURL = notifyURL
        self.amountTotalFen = amountTotalFen
        self.payerOpenID = payerOpenID
        self.timeExpire = timeExpire
        self.attach = attach
    }

    /// Checks the rules of section 5.4 that WeChat Pay would reject with PARAM_ERROR.
    func validate() throws(WeChatPayError) {
        guard (1...Self.descriptionLengthMax).contains(description.count) else {
            throw .invalidRequest("description must be 1-\(Self.descriptionLengthMax) characters")
        }
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-*|")
        guard Self.outTradeNoLengthRange.contains(outTradeNo.count), outTradeNo.allSatisfy(allowed.contains) else {
            throw .invalidRequest("out_trade_no must be 6-32 characters of letters, digits, _ - * |")
        }
        guard notifyURL.hasPrefix("https://"), !notifyURL.contains("?") else {
            throw .invalidRequest("notify_url must be an https URL without a query string")
        }
        guard amountTotalFen > 0 else { throw .invalidRequest("amount.total must be at least 1 fen") }
        guard !payerOpenID.isEmpty else { throw .invalidRequest("payer.openid must not be empty") }
        if let attach, attach.count > Self.attachLengthMax {
            throw .invalidRequest("attach must be at most \(Self.attachLengthMax) characters")
        }
    }
}

/// The body sent to WeChat Pay (snake_case as documented).
struct JSAPIPrepayBody: Codable, Equatable {
    struct Amount: Codable, Equatable {
        var total: Int64
        var currency: String
    }

    struct Payer: Codable, Equatable {
        var openid: String
    }

    var appid: String
    var mchid: String
    var description: String
    var out_trade_no: String
    var time_expire: String?
    var attach: String?
    var notify_url: String
    var amount: Amount
    var payer: Payer

    init(_ request: JSAPIPrepayRequest, appID: String, mchID: String) {
        appid = appID
        mchid = mchID
        description = request.description
        out_trade_no = request.outTradeNo
        time_expire = request.timeExpire
        attach = request.attach
        notify_url = request.notifyURL
        amount = Amount(total: request.amountTotalFen, currency: "CNY")
        payer = Payer(openid: request.payerOpenID)
    }
}

/// What the device passes to `wx.requestPayment` (section 5.5). JSON keys are
/// WeChat's own spelling, so this type can be encoded straight into a response.
public struct RequestPaymentParameters: Sendable, Equatable, Codable {
    /// Unix seconds, as a string.
    public var timeStamp: String
    public var nonceStr: String
    /// `prepay_id=<prepay_id>`.
    public var package: String
    /// Always `RSA` for API v3.
    public var signType: String
    public var paySign: String

    public init(timeStamp: String, nonceStr: String, package: String, signType: String, paySign: String) {
        self.timeStamp = timeStamp
        self.nonceStr = nonceStr
        self.package = package
        self.signType = signType
        self.paySign = paySign
    }
}
