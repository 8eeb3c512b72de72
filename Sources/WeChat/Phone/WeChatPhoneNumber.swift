/// A user's phone number as WeChat reports it (`phone_info`, section 3).
public struct WeChatPhoneNumber: Sendable, Equatable {
    /// With the country code for numbers outside mainland China
    /// (e.g. `+1 6502530000`), without it for mainland numbers.
    public var phoneNumber: String
    /// The number without country code: digits only.
    public var purePhoneNumber: String
    /// Digits only, e.g. `86`.
    public var countryCode: String

    public init(phoneNumber: String, purePhoneNumber: String, countryCode: String) {
        self.phoneNumber = phoneNumber
        self.purePhoneNumber = purePhoneNumber
        self.countryCode = countryCode
    }
}
