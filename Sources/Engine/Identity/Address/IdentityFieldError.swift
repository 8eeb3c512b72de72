/// Why a phone number, ID number or real name was refused. Every case is bad
/// input (400): the HTTP layer reports `field` and `description`. No case
/// carries the input itself, so the error can be logged without leaking it.
public enum IdentityFieldError: Error, Equatable, Sendable, CustomStringConvertible {
    case phoneFormat
    case idNumberLength(countFound: Int)
    /// Not seventeen digits followed by a digit or X.
    case idNumberCharacters
    /// The first two digits are not a province code.
    case idNumberRegion
    /// Digits 7–14 are not a date from 1900-01-01 to 2099-12-31.
    case idNumberBirthDate
    /// The eighteenth character does not match ISO 7064 MOD 11-2 of the others.
    case idNumberChecksum
    case realNameLength(countFound: Int)
    /// Neither all Chinese characters (with ·) nor all Latin letters and spaces.
    case realNameCharacters

    public var field: String {
        switch self {
        case .phoneFormat: "phone"
        case .idNumberLength, .idNumberCharacters, .idNumberRegion, .idNumberBirthDate, .idNumberChecksum: "idNumber"
        case .realNameLength, .realNameCharacters: "realName"
        }
    }

    public var description: String {
        switch self {
        case .phoneFormat: "must be an 11-digit mainland mobile number starting with 13 to 19"
        case .idNumberLength(let count): "must be 18 characters, got \(count)"
        case .idNumberCharacters: "must be 17 digits followed by a digit or X"
        case .idNumberRegion: "must start with a province code"
        case .idNumberBirthDate: "characters 7 to 14 must be a valid birth date (YYYYMMDD, 1900 to 2099)"
        case .idNumberChecksum: "the check character (the last one) does not match"
        case .realNameLength(let count): "must be \(RealName.lengthRange.lowerBound) to \(RealName.lengthRange.upperBound) characters, got \(count)"
        case .realNameCharacters: "must be Chinese characters (· allowed) or Latin letters and spaces"
        }
    }
}
