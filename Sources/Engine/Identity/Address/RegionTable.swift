import Foundation

/// The Chinese administrative divisions (province, city, district) with their
/// six-digit codes, from `RegionData` (see scripts/gen-regions for the source).
///
/// How the data encodes the special cases, which `validate` follows:
/// - Municipalities have a city row of the same name: 北京市 110000 → 北京市
///   110100 → 朝阳区 110105. 重庆市 has two, 500100 for its districts and 500200
///   for its counties, so a 重庆 address names one of them.
/// - County-level units directly under a province (济源市 419001, 仙桃市 429004,
///   五指山市 469001, 石河子市 659001) and the Hong Kong districts 8101xx and
///   Macau parishes 8200xx are districts whose parent is the province: their
///   triple has no city.
/// - Cities without districts (东莞市, 中山市, 儋州市, 嘉峪关市) have no children:
///   their triple has no district.
public struct RegionTable: Sendable {
    /// The whole country, parsed from `RegionData` once, at first use.
    public static let shared = RegionTable(lines: RegionData.lines)

    /// A full or short name pointing at a division.
    struct NameEntry: Sendable, Hashable {
        let regionIndex: Int
        let isShortName: Bool
    }

    private let regions: [Region]
    private let indexByCode: [Int: Int]
    private let childIndicesByCode: [Int: [Int]]
    /// Full names and short names, each to every division bearing it.
    let entriesByName: [String: [NameEntry]]
    /// The longest name in `entriesByName`, in Unicode scalars: the parser tries
    /// no longer prefix.
    let nameScalarsMax: Int

    /// - Parameter lines: `code<TAB>name[<TAB>parentCode]` lines, as in `RegionData`.
    /// - Precondition: well-formed lines. The only caller is `shared`, with `RegionData.lines`: a
    ///   string literal compiled into the binary (written by scripts/gen-regions, loaded whole by
    ///   RegionTableTests), never a request, a file or the log; so the checks below guard the
    ///   generator, not input, and a malformed table fails the tests, not a server.
    /// - Complexity: O(n) in the number of lines.
    init(lines: String) {
        var regions: [Region] = []
        for line in lines.split(separator: "\n") {
            let columns = line.split(separator: "\t")
            // Generated data: a malformed line is a bug in scripts/gen-regions.
            precondition(columns.count == 2 || columns.count == 3, "expected code<TAB>name[<TAB>parent], got \(line)")
            guard let code = Int(columns[0]) else { preconditionFailure("expected a numeric code in \(line)") }
            let parentCode = columns.count == 3 ? Int(columns[2]) : nil
            precondition(columns.count == 2 || parentCode != nil, "expected a numeric parent in \(line)")
            regions.append(Region(code: code, name: String(columns[1]), parentCode: parentCode))
        }
        self.init(regions: regions)
    }

    init(regions: [Region]) {
        var indexByCode: [Int: Int] = [:]
        var childIndicesByCode: [Int: [Int]] = [:]
        var entriesByName: [String: [NameEntry]] = [:]
        for (index, region) in regions.enumerated() {
            precondition(indexByCode.updateValue(index, forKey: region.code) == nil, "duplicate region code \(region.code)")
            if let parentCode = region.parentCode { childIndicesByCode[parentCode, default: []].append(index) }
            entriesByName[region.name, default: []].append(NameEntry(regionIndex: index, isShortName: false))
            for shortName in RegionShortName.shortNames(of: region.name, level: region.level) {
                entriesByName[shortName, default: []].append(NameEntry(regionIndex: index, isShortName: true))
            }
        }
        for region in regions {
            guard let parentCode = region.parentCode else { continue }
            precondition(indexByCode[parentCode] != nil, "region \(region.code) has no parent \(parentCode)")
        }
        self.regions = regions
        self.indexByCode = indexByCode
        self.childIndicesByCode = childIndicesByCode
        self.entriesByName = entriesByName
        self.nameScalarsMax = entriesByName.keys.map(\.unicodeScalars.count).max() ?? 0
    }

    /// All divisions, sorted by code as in the data.
    public var allRegions: [Region] { regions }

    public var provinces: [Region] { regions.filter { $0.level == .province } }

    public func region(code: Int) -> Region? { indexByCode[code].map { regions[$0] } }

    func region(at index: Int) -> Region { regions[index] }

    /// The divisions directly under `code`: a province's cities (and its
    /// county-level units without a city), a city's districts.
    public func children(of code: Int) -> [Region] {
        (childIndicesByCode[code] ?? []).map { regions[$0] }
    }

    /// Whether `code` lies under `ancestorCode` (a region is not its own ancestor).
    public func isDescendant(_ code: Int, of ancestorCode: Int) -> Bool {
        var current = region(code: code)?.parentCode
        while let parentCode = current {
            if parentCode == ancestorCode { return true }
            current = region(code: parentCode)?.parentCode
        }
        return false
    }

    /// The province of a division (itself for a province).
    public func province(of code: Int) -> Region? {
        var current = region(code: code)
        while let region = current, region.level != .province {
            current = region.parentCode.flatMap { self.region(code: $0) }
        }
        return current
    }

    /// The province called `name`: 广东省 or 广东, 内蒙古自治区, 内蒙古 or 内蒙,
    /// 香港特别行政区 or 香港. Province names are unique.
    public func province(named name: String) -> Region? {
        regions(named: name, level: .province, within: nil).first
    }

    /// Cities called `name` (深圳市 or 深圳), within a province if given.
    /// Two only for 重庆市 (500100 districts, 500200 counties).
    public func cities(named name: String, inProvince provinceCode: Int? = nil) -> [Region] {
        regions(named: name, level: .city, within: provinceCode)
    }

    /// Districts called `name` (南山区 or 南山), under a province or city if
    /// given. Many names repeat across the country: 鼓楼区, 朝阳区, 铁西区.
    public func districts(named name: String, within ancestorCode: Int? = nil) -> [Region] {
        regions(named: name, level: .district, within: ancestorCode)
    }

    private func regions(named name: String, level: RegionLevel, within ancestorCode: Int?) -> [Region] {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
        let entries = entriesByName[trimmed] ?? []
        return entries.map { regions[$0.regionIndex] }.filter { region in
            region.level == level && ancestorCode.map { isDescendant(region.code, of: $0) } ?? true
        }
    }
}
