/// The short names people write for a division: 广东 for 广东省, 广西 for
/// 广西壮族自治区, 深圳 for 深圳市, 延边 and 延边州 for 延边朝鲜族自治州,
/// 南山 for 南山区. A short name keeps at least two characters, so 忠县 and
/// 城区 have none: a one-character name would match inside any word.
enum RegionShortName {
    /// Suffixes dropped by level, longest first so 自治区 goes before 区.
    private static let provinceSuffixes = ["特别行政区", "自治区", "省", "市"]
    private static let citySuffixes = ["自治州", "地区", "市", "盟"]
    private static let districtSuffixes = ["自治县", "自治旗", "新区", "林区", "特区", "区", "县", "市", "旗"]
    private static let autonomousSuffixes: Set<String> = ["自治区", "自治州", "自治县", "自治旗"]
    /// Short names in common use that no suffix rule yields.
    private static let extraByName: [String: [String]] = ["内蒙古自治区": ["内蒙"]]

    /// The 56 nationalities, with which autonomous divisions are named:
    /// 延边朝鲜族自治州 → 延边, 新疆维吾尔自治区 → 新疆 (written without 族).
    static let nationalities: [String] = [
        "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
        "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
        "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌",
        "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔",
        "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
    ]

    /// - Returns: the short names of a division, never its full name.
    static func shortNames(of name: String, level: RegionLevel) -> [String] {
        let suffixes = switch level {
        case .province: provinceSuffixes
        case .city: citySuffixes
        case .district: districtSuffixes
        }
        var names = extraByName[name] ?? []
        for suffix in suffixes where name.hasSuffix(suffix) {
            var stem = String(name.dropLast(suffix.count))
            if autonomousSuffixes.contains(suffix) { stem = withoutNationalities(stem) }
            guard stem.count >= 2 else { break }
            names.append(stem)
            if suffix == "自治州" { names.append(stem + "州") }
            break
        }
        return names.filter { $0 != name }
    }

    /// Drops trailing nationality names while two characters remain:
    /// 黔南布依族苗族 → 黔南, 察布查尔锡伯 → 察布查尔.
    private static func withoutNationalities(_ stem: String) -> String {
        var result = stem
        while let shorter = droppingOneNationality(result) { result = shorter }
        return result
    }

    private static func droppingOneNationality(_ stem: String) -> String? {
        for nationality in nationalities {
            // A one-character name without 族 (藏, 回) is too likely the place
            // name's own last character: 西藏 is not 西 + 藏.
            for written in [nationality + "族", nationality] where written.count >= 2 && stem.hasSuffix(written) {
                let shorter = String(stem.dropLast(written.count))
                if shorter.count >= 2 { return shorter }
            }
        }
        return nil
    }
}
