@testable import Engine

/// A small Chinese catalog for the relevance tests: phones and their accessories,
/// apples the fruit and apple snacks, clothes, food and home goods; with Apple
/// phones and 苹果 the fruit side by side on purpose.
enum SearchCatalogFixture {
    /// Category IDs: 1 数码 > 11 手机, 12 手机配件 > 121 手机壳, 122 充电器; 13 耳机; 14 电脑.
    /// 2 食品生鲜 > 21 水果 > 211 苹果, 212 柑橘; 22 零食. 3 服饰 > 31 男装, 32 女装, 33 鞋靴.
    /// 4 家居 > 41 厨具, 42 床上用品.
    static let categoryPaths: [UInt64: [(UInt64, String)]] = [
        1: [(1, "数码")],
        11: [(1, "数码"), (11, "手机")],
        12: [(1, "数码"), (12, "手机配件")],
        121: [(1, "数码"), (12, "手机配件"), (121, "手机壳")],
        122: [(1, "数码"), (12, "手机配件"), (122, "充电器")],
        13: [(1, "数码"), (13, "耳机")],
        14: [(1, "数码"), (14, "电脑")],
        211: [(2, "食品生鲜"), (21, "水果"), (211, "苹果")],
        212: [(2, "食品生鲜"), (21, "水果"), (212, "柑橘")],
        22: [(2, "食品生鲜"), (22, "零食")],
        31: [(3, "服饰"), (31, "男装")],
        32: [(3, "服饰"), (32, "女装")],
        33: [(3, "服饰"), (33, "鞋靴")],
        41: [(4, "家居"), (41, "厨具")],
        42: [(4, "家居"), (42, "床上用品")],
    ]

    /// (id, name, keywords, leaf category, attributes, price in fen)
    static let rows: [(UInt64, String, String, UInt64, [String], Int64)] = [
        (1, "Apple iPhone 15 128GB 手机", "A16芯片 灵动岛", 11, ["黑色", "128GB"], 599_900),
        (2, "Apple iPhone 15 Pro Max 256GB 手机", "钛金属 A17 Pro", 11, ["原色钛金属", "256GB"], 999_900),
        (3, "华为 Mate 60 Pro 手机", "麒麟芯片 卫星通话", 11, ["雅川青", "512GB"], 699_900),
        (4, "小米14 手机 徕卡影像", "骁龙8 Gen3", 11, ["白色", "256GB"], 399_900),
        (5, "iPhone 15 手机壳 透明", "防摔 硅胶 保护套", 121, ["透明", "iPhone 15"], 2_990),
        (6, "华为Mate60 手机壳 磨砂", "防摔 全包", 121, ["黑色"], 3_990),
        (7, "小米14 保护壳 皮革", "商务 全包", 121, ["棕色"], 4_990),
        (8, "苹果20W快充充电器 PD快充头", "适用iPhone", 122, ["白色"], 9_900),
        (9, "手机支架 桌面懒人支架", "可折叠 铝合金", 12, ["银色"], 2_590),
        (10, "AirPods Pro 2 无线蓝牙耳机", "苹果耳机 主动降噪", 13, ["白色"], 189_900),
        (11, "索尼 WH-1000XM5 头戴式降噪耳机", "无线 蓝牙", 13, ["黑色"], 249_900),
        (12, "MacBook Air 13英寸 M3 笔记本电脑", "苹果电脑 轻薄", 14, ["银色", "16GB"], 899_900),
        (13, "联想 小新Pro14 轻薄笔记本电脑", "办公 学生", 14, ["灰色"], 549_900),
        (14, "烟台红富士苹果 5斤装 新鲜水果", "脆甜多汁 当季", 211, ["5斤", "大果"], 3_990),
        (15, "阿克苏冰糖心苹果 10斤 新疆水果", "冰糖心 当季", 211, ["10斤"], 6_990),
        (16, "陕西洛川苹果 红富士 精选礼盒", "送礼 水果礼盒", 211, ["礼盒"], 8_990),
        (17, "赣南脐橙 5斤装 新鲜橙子", "当季水果", 212, ["5斤"], 2_990),
        (18, "四川丑橘 不知火 3斤", "当季水果", 212, ["3斤"], 3_500),
        (19, "三只松鼠 每日坚果 30包", "混合坚果 零食大礼包", 22, ["750g"], 12_900),
        (20, "良品铺子 猪肉脯 靖江特产", "肉干 零食", 22, ["200g"], 2_990),
        (21, "苹果脆片 冻干水果零食", "非油炸", 22, ["100g"], 1_590),
        (22, "男士纯棉短袖T恤 夏季 圆领", "纯棉 透气", 31, ["白色", "XL", "L"], 5_900),
        (23, "男士休闲裤 直筒 宽松", "百搭", 31, ["卡其色", "XL"], 12_900),
        (24, "女士碎花连衣裙 法式 收腰", "夏季 显瘦", 32, ["红色", "M"], 15_900),
        (25, "女款 羽绒服 短款 加厚", "冬季 保暖", 32, ["黑色", "L"], 39_900),
        (26, "Nike Air Force 1 空军一号 运动鞋", "耐克 板鞋", 33, ["白色", "42"], 79_900),
        (27, "李宁 跑步鞋 轻量 透气", "运动 减震", 33, ["红色", "41"], 29_900),
        (28, "苏泊尔 不粘锅 炒锅 30cm", "家用 燃气灶适用", 41, ["红色"], 19_900),
        (29, "双立人 菜刀 刀具套装", "德国 不锈钢", 41, ["银色"], 59_900),
        (30, "全棉四件套 床单被罩 简约", "纯棉 亲肤", 42, ["灰色"], 29_900),
        (31, "乳胶枕头 泰国进口 护颈", "天然乳胶", 42, ["白色"], 19_900),
        (32, "富士 instax mini 12 拍立得相机", "富士相机 拍立得", 1, ["粉色"], 69_900),
        (33, "手机 防水袋 游泳 潜水", "户外 触屏", 12, ["透明"], 1_990),
        (34, "小米 充电宝 20000毫安 快充", "移动电源", 122, ["白色"], 12_900),
        (35, "红米 Note 13 5G 手机", "大电量 高刷屏", 11, ["星沙白"], 119_900),
        (36, "iPad Air 11英寸 平板电脑", "苹果平板", 14, ["蓝色"], 449_900),
        (37, "苹果醋饮料 整箱 12瓶", "饮料 酸甜", 22, ["12瓶"], 4_590),
        (38, "保温杯 316不锈钢 大容量", "办公 便携", 41, ["黑色"], 8_900),
        (39, "透明 手机壳 适用华为P60", "超薄 软壳", 121, ["透明"], 1_990),
        (40, "<限时> 特价 & \"爆款\" 纯棉毛巾", "洗脸 吸水", 42, ["白色"], 990),
    ]

    static let synonyms: [[String]] = [
        ["苹果", "iPhone", "Apple"],
        ["手机壳", "保护壳", "phone case", "手机套"],
        ["耳机", "耳麦"],
        ["笔记本电脑", "笔记本", "laptop"],
    ]

    /// Created a minute apart in ID order, so "newest" is ID descending.
    static func document(_ row: (UInt64, String, String, UInt64, [String], Int64)) -> SearchDocument {
        let path = categoryPaths[row.3] ?? []
        return SearchDocument(
            productID: row.0, name: row.1, keywords: row.2, categoryIDs: path.map(\.0), categoryNames: path.map(\.1),
            attributes: row.4, minPriceFen: row.5, maxPriceFen: row.5 + 1_000, createdAtMs: 1_700_000_000_000 + Int64(row.0) * 60_000)
    }

    static var documents: [SearchDocument] { rows.map(document) }

    static func index(withSynonyms: Bool = true) -> SearchIndex {
        var index = SearchIndex()
        for document in documents { index.upsert(document) }
        if withSynonyms, let table = try? SynonymTable(groups: synonyms) { index.synonyms = table }
        return index
    }

    /// Sales: a fixed function of the ID, distinct for every product; every product in stock but 3 and 14.
    static func signals(_ productID: UInt64) -> SearchSignals {
        SearchSignals(sales: Int64((productID * 37) % 101), inStock: productID != 3 && productID != 14)
    }
}
