@testable import Engine
import Testing

@Suite("Region table")
struct RegionTableTests {
    let table = RegionTable.shared

    @Test("the generated data loads whole, every division under a parent of the right level")
    func dataIsConsistent() {
        #expect(table.allRegions.count == RegionData.divisionCount)
        #expect(table.provinces.count == 34)  // 31 mainland, 香港, 澳门, 台湾
        for region in table.allRegions {
            #expect((110_000...829_999).contains(region.code), "\(region)")
            switch region.level {
            case .province:
                #expect(region.parentCode == nil, "\(region)")
            case .city:
                #expect(region.parentCode.flatMap(table.region(code:))?.level == .province, "\(region)")
            case .district:
                #expect(region.parentCode.flatMap(table.region(code:))?.level != .district, "\(region)")
            }
        }
    }

    @Test("a division is found by code, with its parent and children")
    func lookUpByCode() throws {
        let nanshan = try #require(table.region(code: 440305))
        #expect(nanshan.name == "南山区")
        #expect(nanshan.level == .district)
        #expect(nanshan.parentCode == 440300)
        #expect(table.region(code: 440300)?.parentCode == 440000)
        #expect(table.children(of: 440300).contains(nanshan))
        #expect(table.children(of: 440300).allSatisfy { $0.parentCode == 440300 })
        #expect(table.children(of: 441900).isEmpty)  // 东莞市 has no districts
        #expect(table.children(of: 810000).contains { $0.name == "油尖旺区" })  // 香港: districts, no city
        #expect(table.children(of: 410000).contains { $0.code == 419001 })  // 济源市 directly under 河南省
        #expect(table.region(code: 440399) == nil)
        #expect(table.region(code: 990000) == nil)  // 苏鲁交界 is not a division
        #expect(table.province(of: 440305)?.name == "广东省")
        #expect(table.province(of: 419001)?.name == "河南省")
        #expect(table.isDescendant(440305, of: 440000))
        #expect(!table.isDescendant(440305, of: 440305))
    }

    @Test("provinces are found by full and common short name", arguments: [
        ("广东", 440000), ("广东省", 440000), (" 广东省 ", 440000), ("内蒙古", 150000), ("内蒙古自治区", 150000),
        ("内蒙", 150000), ("广西", 450000), ("广西壮族自治区", 450000), ("新疆", 650000), ("新疆维吾尔自治区", 650000),
        ("宁夏", 640000), ("宁夏回族自治区", 640000), ("西藏", 540000), ("西藏自治区", 540000), ("北京", 110000),
        ("北京市", 110000), ("重庆", 500000), ("香港", 810000), ("香港特别行政区", 810000), ("澳门", 820000),
        ("台湾", 710000), ("黑龙江", 230000),
    ])
    func provinceByName(_ name: String, code: Int) {
        #expect(table.province(named: name)?.code == code)
    }

    @Test("a name that is not a province finds none")
    func notAProvince() {
        #expect(table.province(named: "深圳") == nil)
        #expect(table.province(named: "广") == nil)
        #expect(table.province(named: "") == nil)
        #expect(table.province(named: "广东省深圳市") == nil)
    }

    @Test("cities are found by full and short name, within a province if asked")
    func citiesByName() {
        #expect(table.cities(named: "深圳").map(\.code) == [440300])
        #expect(table.cities(named: "深圳市").map(\.code) == [440300])
        #expect(table.cities(named: "深圳", inProvince: 110000).isEmpty)
        #expect(table.cities(named: "延边").map(\.code) == [222400])
        #expect(table.cities(named: "延边州").map(\.code) == [222400])
        #expect(table.cities(named: "延边朝鲜族自治州").map(\.code) == [222400])
        #expect(table.cities(named: "黔南").map(\.code) == [522700])
        #expect(table.cities(named: "阿里").map(\.code) == [542500])
        #expect(table.cities(named: "阿拉善").map(\.code) == [152900])
        #expect(table.cities(named: "东莞").map(\.code) == [441900])
        #expect(table.cities(named: "重庆").map(\.code) == [500100, 500200])
        #expect(table.cities(named: "北京市").map(\.code) == [110100])
        #expect(table.cities(named: "朝阳").map(\.code) == [211300])
    }

    @Test("districts are found by full and short name; repeated names need their province or city")
    func districtsByName() {
        #expect(Set(table.districts(named: "南山").map(\.code)) == [230404, 440305])
        #expect(table.districts(named: "南山", within: 440000).map(\.code) == [440305])
        #expect(table.districts(named: "南山区", within: 440300).map(\.code) == [440305])
        #expect(Set(table.districts(named: "鼓楼区").map(\.code)) == [320106, 320302, 350102, 410204])
        #expect(table.districts(named: "鼓楼区", within: 350000).map(\.code) == [350102])
        #expect(Set(table.districts(named: "朝阳区").map(\.code)) == [110105, 220104])
        #expect(table.districts(named: "浦东").map(\.code) == [310115])
        #expect(table.districts(named: "神农架").map(\.code) == [429021])
        #expect(table.districts(named: "本溪").map(\.code) == [210521])
        #expect(table.districts(named: "忠县").map(\.code) == [500233])
        #expect(table.districts(named: "忠").isEmpty)  // no one-character short names
    }

    @Test("a consistent triple is accepted, down to the last level the data has", arguments: [
        (440000, 440300, 440305), (110000, 110100, 110105), (500000, 500100, 500103), (500000, 500200, 500229),
        (650000, 650100, 650102),
    ] as [(Int, Int, Int)])
    func validTriple(_ province: Int, _ city: Int, _ district: Int) throws {
        let path = try table.validate(provinceCode: province, cityCode: city, districtCode: district)
        #expect(path.province.code == province)
        #expect(path.city?.code == city)
        #expect(path.district?.code == district)
    }

    @Test("special encodings: no city above some districts, no district in some cities")
    func specialTriples() throws {
        #expect(try table.validate(provinceCode: 410000, cityCode: nil, districtCode: 419001).district?.name == "济源市")
        #expect(try table.validate(provinceCode: 420000, cityCode: nil, districtCode: 429021).district?.name == "神农架林区")
        #expect(try table.validate(provinceCode: 440000, cityCode: 441900, districtCode: nil).city?.name == "东莞市")
        #expect(try table.validate(provinceCode: 460000, cityCode: 460400, districtCode: nil).city?.name == "儋州市")
        #expect(try table.validate(provinceCode: 810000, cityCode: nil, districtCode: 810109).district?.name == "油尖旺区")
        #expect(try table.validate(provinceCode: 820000, cityCode: nil, districtCode: 820008).district?.name == "花地玛堂区")
    }

    @Test("an inconsistent or incomplete triple is refused with the field to fix", arguments: [
        (999_999, nil, nil, RegionError.unknownProvince(code: 999_999)),
        (440300, nil, nil, .unknownProvince(code: 440300)),
        (440000, 440305, nil, .unknownCity(code: 440305)),
        (110000, 440300, 440305, .cityNotInProvince(cityCode: 440300, provinceCode: 110000)),
        (440000, 440300, 440300, .unknownDistrict(code: 440300)),
        (440000, 440300, 110105, .districtNotInParent(districtCode: 110105, parentCode: 440300)),
        (500000, 500100, 500229, .districtNotInParent(districtCode: 500229, parentCode: 500100)),
        (410000, 410100, 419001, .districtNotInParent(districtCode: 419001, parentCode: 410100)),
        (440000, nil, nil, .cityRequired(provinceCode: 440000)),
        (440000, nil, 440305, .cityRequired(provinceCode: 440000)),
        (440000, nil, 110105, .districtNotInParent(districtCode: 110105, parentCode: 440000)),
        (440000, 440300, nil, .districtRequired(parentCode: 440300)),
        (820000, nil, nil, .districtRequired(parentCode: 820000)),
        (810000, nil, nil, .districtRequired(parentCode: 810000)),
    ] as [(Int, Int?, Int?, RegionError)])
    func invalidTriple(_ province: Int, _ city: Int?, _ district: Int?, _ error: RegionError) {
        #expect(throws: error) { try table.validate(provinceCode: province, cityCode: city, districtCode: district) }
    }

    @Test("each refusal names the request field it concerns")
    func errorFields() {
        #expect(RegionError.unknownProvince(code: 1).field == "provinceCode")
        #expect(RegionError.cityRequired(provinceCode: 440000).field == "cityCode")
        #expect(RegionError.districtRequired(parentCode: 440300).field == "districtCode")
        #expect(RegionError.cityNotInProvince(cityCode: 440300, provinceCode: 110000).description
            == "city 440300 is not in province 110000")
    }
}
