extension RegionTable {
    /// Checks that the district lies in the city and the city in the province,
    /// and that the address goes down to the last level the data has there.
    ///
    /// - A municipality names its city row: (110000, 110100, 110105).
    /// - A county-level unit under its province has no city: (410000, nil, 419001).
    /// - A city without districts has no district: (440000, 441900, nil).
    /// - Hong Kong and Macau districts sit under the province: (810000, nil, 810109).
    /// - Throws: the first rule broken, naming the field to fix.
    public func validate(provinceCode: Int, cityCode: Int?, districtCode: Int?) throws(RegionError) -> RegionPath {
        guard let province = region(code: provinceCode), province.level == .province else {
            throw .unknownProvince(code: provinceCode)
        }
        var city: Region?
        if let cityCode {
            guard let found = region(code: cityCode), found.level == .city else { throw .unknownCity(code: cityCode) }
            guard found.parentCode == provinceCode else {
                throw .cityNotInProvince(cityCode: cityCode, provinceCode: provinceCode)
            }
            city = found
        }
        if let districtCode {
            let district = try validatedDistrict(districtCode, province: province, city: city)
            return RegionPath(province: province, city: city, district: district)
        }
        if let city {
            guard children(of: city.code).isEmpty else { throw .districtRequired(parentCode: city.code) }
        } else {
            let underProvince = children(of: provinceCode)
            if underProvince.contains(where: { $0.level == .city }) { throw .cityRequired(provinceCode: provinceCode) }
            guard underProvince.isEmpty else { throw .districtRequired(parentCode: provinceCode) }
        }
        return RegionPath(province: province, city: city, district: nil)
    }

    private func validatedDistrict(_ districtCode: Int, province: Region, city: Region?) throws(RegionError) -> Region {
        guard let district = region(code: districtCode), district.level == .district else {
            throw .unknownDistrict(code: districtCode)
        }
        let parentCode = city?.code ?? province.code
        guard district.parentCode == parentCode else {
            // A district of a city in this province, sent without its city.
            if city == nil, isDescendant(districtCode, of: province.code) { throw .cityRequired(provinceCode: province.code) }
            throw .districtNotInParent(districtCode: districtCode, parentCode: parentCode)
        }
        return district
    }
}
