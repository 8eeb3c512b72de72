/// Phone numbers for `--sandbox` runs: no WeChat, no network, and the number
/// is spelled out in the code, so a front-end developer or an end-to-end test
/// picks it.
///
/// A code `sandbox-phone-<5 to 15 digits>` yields those digits as a mainland
/// number: `sandbox-phone-13800138000` → phoneNumber and purePhoneNumber
/// `13800138000`, countryCode `86`. Any other code is refused as WeChat
/// refuses an unknown code (40029), with an errmsg that shows the form.
/// The same code always gives the same number; codes are not single-use here.
public struct SandboxPhoneNumberClient: WeChatPhoneNumberClient {
    public static let codePrefix = "sandbox-phone-"
    public static let countryCode = "86"
    static let digitCountRange = 5...15

    public init() {}

    public func phoneNumber(forCode code: String) async throws(WeChatError) -> WeChatPhoneNumber {
        try Self.makePhoneNumber(forCode: code)
    }

    /// The synchronous core of `phoneNumber(forCode:)`.
    public static func makePhoneNumber(forCode code: String) throws(WeChatError) -> WeChatPhoneNumber {
        try PhoneCode.validate(code)
        let digits = code.hasPrefix(codePrefix) ? String(code.dropFirst(codePrefix.count)) : ""
        guard digitCountRange.contains(digits.utf8.count),
              digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            throw .invalidCode(
                errcode: 40029,
                errmsg: "sandbox phone codes are \(codePrefix)<5 to 15 digits>, e.g. \(codePrefix)13800138000")
        }
        return WeChatPhoneNumber(phoneNumber: digits, purePhoneNumber: digits, countryCode: countryCode)
    }
}
