/// Exchanges a getPhoneNumber button code for the user's phone number
/// (reference section 3).
///
/// Implementations: `HTTPPhoneNumberClient` (real or fake WeChat host) and
/// `SandboxPhoneNumberClient` (`--sandbox` runs, no network).
public protocol WeChatPhoneNumberClient: Sendable {
    /// Phone codes are single-use and live 5 minutes; they are not `wx.login` codes.
    func phoneNumber(forCode code: String) async throws(WeChatError) -> WeChatPhoneNumber
}

enum PhoneCode {
    /// Real codes are 64 hexadecimal characters; anything far longer is
    /// garbage, refused before it is sent.
    static let lengthMax = 256

    /// Rejects codes that cannot be valid without asking WeChat.
    static func validate(_ code: String) throws(WeChatError) {
        guard !code.isEmpty else { throw .invalidCode(errcode: 40029, errmsg: "empty phone code") }
        guard code.utf8.count <= lengthMax else {
            throw .invalidCode(errcode: 40029, errmsg: "phone code longer than \(lengthMax) bytes")
        }
    }
}
