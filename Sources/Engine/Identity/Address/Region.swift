/// The level of a division. It follows from the code (GB/T 2260): `XX0000` is a
/// province, `XXXX00` a city, anything else a district (区, 县, county-level 市, 旗).
public enum RegionLevel: Int, Sendable, Hashable, Comparable {
    case province = 1
    case city = 2
    case district = 3

    init(code: Int) {
        if code % 10_000 == 0 {
            self = .province
        } else if code % 100 == 0 {
            self = .city
        } else {
            self = .district
        }
    }

    public static func < (lhs: RegionLevel, rhs: RegionLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One administrative division: a province, a city or a district.
public struct Region: Sendable, Hashable, CustomStringConvertible {
    /// The six-digit division code, e.g. 440305 for 南山区.
    public let code: Int
    /// The full official name, e.g. 广西壮族自治区, 深圳市, 南山区.
    public let name: String
    /// The province for a city; the city for a district, or the province for a
    /// county-level unit directly under it (济源市, 仙桃市, the Macau parishes).
    /// Nil for a province.
    public let parentCode: Int?

    public var level: RegionLevel { RegionLevel(code: code) }

    public var description: String { "\(name)(\(code))" }
}

/// A validated province / city / district triple.
public struct RegionPath: Sendable, Hashable {
    public let province: Region
    /// Nil for a district directly under its province (济源市 419001, the
    /// Hong Kong and Macau districts).
    public let city: Region?
    /// Nil for a city without districts (东莞市).
    public let district: Region?
}
