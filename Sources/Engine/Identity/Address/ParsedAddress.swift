/// What `AddressParser` found in a pasted address. Every part may be missing:
/// the mini-program shows the parts it got and lets the user fill the rest.
public struct ParsedAddress: Sendable, Hashable {
    /// The consignee, e.g. 张三 or 买买提·艾力.
    public var name: String?
    /// A mobile number as 11 digits ("13800138000"), else a landline as
    /// "0755-12345678", or "12345678" when the text had no area code.
    public var phone: String?
    public var province: Region?
    public var city: Region?
    public var district: Region?
    /// Street, building and room; also any region text left unresolved
    /// (an ambiguous 朝阳区 without its city stays here, not guessed).
    public var detail: String?
    /// The input exceeded `AddressParser.inputScalarsMax` and was not parsed.
    public var isInputTooLong: Bool

    public init(name: String? = nil, phone: String? = nil, province: Region? = nil, city: Region? = nil,
                district: Region? = nil, detail: String? = nil, isInputTooLong: Bool = false) {
        self.name = name
        self.phone = phone
        self.province = province
        self.city = city
        self.district = district
        self.detail = detail
        self.isInputTooLong = isInputTooLong
    }
}
