/// Why a province / city / district triple was refused. Every case is bad
/// input (400): the HTTP layer reports `field` and `description`.
public enum RegionError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownProvince(code: Int)
    case unknownCity(code: Int)
    case unknownDistrict(code: Int)
    case cityNotInProvince(cityCode: Int, provinceCode: Int)
    /// `parentCode` is the city given, or the province when no city was.
    case districtNotInParent(districtCode: Int, parentCode: Int)
    /// The province has cities, so an address there names one.
    case cityRequired(provinceCode: Int)
    /// The city (or a province whose divisions sit directly under it, like
    /// Macau) has districts, so an address there names one.
    case districtRequired(parentCode: Int)

    /// The request field the client should fix.
    public var field: String {
        switch self {
        case .unknownProvince: "provinceCode"
        case .unknownCity, .cityNotInProvince, .cityRequired: "cityCode"
        case .unknownDistrict, .districtNotInParent, .districtRequired: "districtCode"
        }
    }

    public var description: String {
        switch self {
        case .unknownProvince(let code): "\(code) is not a province code"
        case .unknownCity(let code): "\(code) is not a city code"
        case .unknownDistrict(let code): "\(code) is not a district code"
        case .cityNotInProvince(let city, let province): "city \(city) is not in province \(province)"
        case .districtNotInParent(let district, let parent): "district \(district) is not in \(parent)"
        case .cityRequired(let province): "province \(province) has cities: a city code is required"
        case .districtRequired(let parent): "\(parent) has districts: a district code is required"
        }
    }
}
