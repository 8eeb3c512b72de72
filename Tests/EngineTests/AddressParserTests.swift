@testable import Engine
import Testing

/// One pasted address and every part the parser must find in it. Codes stand
/// for the regions: 440000 广东省, 440300 深圳市, 440305 南山区. All names and
/// numbers are made up (13800138000 is the usual placeholder number).
struct AddressCase: Sendable, CustomTestStringConvertible {
    let input: String
    var name: String?
    var phone: String?
    var province: Int?
    var city: Int?
    var district: Int?
    var detail: String?

    init(_ input: String, name: String? = nil, phone: String? = nil, province: Int? = nil, city: Int? = nil,
         district: Int? = nil, detail: String? = nil) {
        self.input = input
        self.name = name
        self.phone = phone
        self.province = province
        self.city = city
        self.district = district
        self.detail = detail
    }

    var testDescription: String { input.debugDescription }

    func check() {
        let parsed = AddressParser.parse(input)
        #expect(parsed.name == name, "name")
        #expect(parsed.phone == phone, "phone")
        #expect(parsed.province?.code == province, "province")
        #expect(parsed.city?.code == city, "city")
        #expect(parsed.district?.code == district, "district")
        #expect(parsed.detail == detail, "detail")
        #expect(!parsed.isInputTooLong)
    }
}

/// The usual 张三 / 深圳南山 address, for cases that vary only the wrapping.
private func nanshan(_ input: String, name: String? = "张三", phone: String? = "13800138000",
                     detail: String = "科技园路1号") -> AddressCase {
    AddressCase(input, name: name, phone: phone, province: 440000, city: 440300, district: 440305, detail: detail)
}

@Suite("Address parser")
struct AddressParserTests {
    static let orderAndSeparators: [AddressCase] = [
        nanshan("张三 13800138000 广东省深圳市南山区科技园路1号"),
        nanshan("13800138000 张三 广东省深圳市南山区科技园路1号"),
        nanshan("广东省深圳市南山区科技园路1号 张三 13800138000"),
        nanshan("广东省深圳市南山区科技园路1号 13800138000 张三"),
        nanshan("13800138000 广东省深圳市南山区科技园路1号 张三"),
        nanshan("张三，13800138000，广东省深圳市南山区科技园路1号"),
        nanshan("张三、13800138000、广东省深圳市南山区科技园路1号"),
        nanshan("张三\n13800138000\n广东省深圳市南山区科技园路1号"),
        nanshan("张三\r\n13800138000\r\n广东省深圳市南山区科技园路1号\r\n"),
        nanshan("  张三   13800138000    广东省 深圳市 南山区 科技园路1号  "),
        nanshan("张三;13800138000;广东省深圳市南山区科技园路1号"),
        nanshan("张三,13800138000,广东省,深圳市,南山区,科技园路1号"),
        nanshan("张三\t13800138000\t广东省深圳市南山区科技园路1号"),
    ]

    static let missingLevels: [AddressCase] = [
        AddressCase("深圳市南山区科技园路1号，李四，138-0013-8000", name: "李四", phone: "13800138000",
                    province: 440000, city: 440300, district: 440305, detail: "科技园路1号"),
        AddressCase("杭州市西湖区文三路90号 王芳 13912345678", name: "王芳", phone: "13912345678",
                    province: 330000, city: 330100, district: 330106, detail: "文三路90号"),
        AddressCase("成都市武侯区人民南路四段1号 刘洋 15012345678", name: "刘洋", phone: "15012345678",
                    province: 510000, city: 510100, district: 510107, detail: "人民南路四段1号"),
        AddressCase("广东省南山区科技园路1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 440000, city: 440300, district: 440305, detail: "科技园路1号"),
        AddressCase("浙江省西湖区文三路90号 王芳 13912345678", name: "王芳", phone: "13912345678",
                    province: 330000, city: 330100, district: 330106, detail: "文三路90号"),
        AddressCase("广州市天河路385号 李四 13800138000", name: "李四", phone: "13800138000",
                    province: 440000, city: 440100, detail: "天河路385号"),
        AddressCase("南京市北京东路1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 320000, city: 320100, detail: "北京东路1号"),
        AddressCase("科技园路1号 张三 13800138000", name: "张三", phone: "13800138000", detail: "科技园路1号"),
        AddressCase("北京东路1号 张三 13800138000", name: "张三", phone: "13800138000", detail: "北京东路1号"),
        AddressCase("中山路1号 张三 13800138000", name: "张三", phone: "13800138000", detail: "中山路1号"),
    ]

    static let municipalities: [AddressCase] = [
        AddressCase("北京市朝阳区建国路88号 王五 13912345678", name: "王五", phone: "13912345678",
                    province: 110000, city: 110100, district: 110105, detail: "建国路88号"),
        AddressCase("上海市浦东新区张江路100号 赵六 +86 13800138000", name: "赵六", phone: "13800138000",
                    province: 310000, city: 310100, district: 310115, detail: "张江路100号"),
        AddressCase("天津市和平区南京路1号 孙丽 13700001234", name: "孙丽", phone: "13700001234",
                    province: 120000, city: 120100, district: 120101, detail: "南京路1号"),
        AddressCase("重庆市渝中区解放碑步行街1号 罗七 13800138000", name: "罗七", phone: "13800138000",
                    province: 500000, city: 500100, district: 500103, detail: "解放碑步行街1号"),
        AddressCase("重庆市城口县葛城街道1号 罗七 13800138000", name: "罗七", phone: "13800138000",
                    province: 500000, city: 500200, district: 500229, detail: "葛城街道1号"),
        AddressCase("重庆市重庆市渝中区解放碑1号 13800138000 罗七", name: "罗七", phone: "13800138000",
                    province: 500000, city: 500100, district: 500103, detail: "解放碑1号"),
        AddressCase("北京北京市朝阳区建国路88号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 110000, city: 110100, district: 110105, detail: "建国路88号"),
        AddressCase("上海 上海市 黄浦区 南京东路1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 310000, city: 310100, district: 310101, detail: "南京东路1号"),
        AddressCase("北京海淀区中关村大街1号 李雷 13800138000", name: "李雷", phone: "13800138000",
                    province: 110000, city: 110100, district: 110108, detail: "中关村大街1号"),
        AddressCase("上海市 徐汇区 漕溪北路1号 韩梅梅 13800138000", name: "韩梅梅", phone: "13800138000",
                    province: 310000, city: 310100, district: 310104, detail: "漕溪北路1号"),
        AddressCase("北京市 王府井大街1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 110000, city: 110100, detail: "王府井大街1号"),
        AddressCase("天津市滨海新区1号 孙丽 13700001234", name: "孙丽", phone: "13700001234",
                    province: 120000, city: 120100, district: 120116, detail: "1号"),
        AddressCase("重庆 江北区 观音桥1号 周九 13800138000", name: "周九", phone: "13800138000",
                    province: 500000, city: 500100, district: 500105, detail: "观音桥1号"),
        AddressCase("重庆市解放碑1号 罗七 13800138000", name: "罗七", phone: "13800138000",
                    province: 500000, detail: "解放碑1号"),
    ]

    static let autonomousRegions: [AddressCase] = [
        AddressCase("内蒙古呼和浩特市新城区新华大街1号 孙七 15000001111", name: "孙七", phone: "15000001111",
                    province: 150000, city: 150100, district: 150102, detail: "新华大街1号"),
        AddressCase("内蒙古自治区包头市昆都仑区钢铁大街1号 孙七 15000001111", name: "孙七", phone: "15000001111",
                    province: 150000, city: 150200, district: 150203, detail: "钢铁大街1号"),
        AddressCase("广西壮族自治区南宁市青秀区民族大道100号 周八 18600001111", name: "周八", phone: "18600001111",
                    province: 450000, city: 450100, district: 450103, detail: "民族大道100号"),
        AddressCase("广西桂林市秀峰区中山中路1号 周八 18600001111", name: "周八", phone: "18600001111",
                    province: 450000, city: 450300, district: 450302, detail: "中山中路1号"),
        AddressCase("新疆维吾尔自治区乌鲁木齐市天山区解放北路1号 吴九 17700001111", name: "吴九", phone: "17700001111",
                    province: 650000, city: 650100, district: 650102, detail: "解放北路1号"),
        AddressCase("新疆喀什地区喀什市人民东路1号 吴九 17700001111", name: "吴九", phone: "17700001111",
                    province: 650000, city: 653100, district: 653101, detail: "人民东路1号"),
        AddressCase("宁夏银川市兴庆区解放西街1号 郑十 13600001111", name: "郑十", phone: "13600001111",
                    province: 640000, city: 640100, district: 640104, detail: "解放西街1号"),
        AddressCase("宁夏回族自治区银川市金凤区北京中路1号 郑十 13600001111", name: "郑十", phone: "13600001111",
                    province: 640000, city: 640100, district: 640106, detail: "北京中路1号"),
        AddressCase("西藏拉萨市城关区北京中路1号 王小明 13500001111", name: "王小明", phone: "13500001111",
                    province: 540000, city: 540100, district: 540102, detail: "北京中路1号"),
        AddressCase("西藏自治区林芝市巴宜区1号 王小明 13500001111", name: "王小明", phone: "13500001111",
                    province: 540000, city: 540400, district: 540402, detail: "1号"),
        AddressCase("吉林省延边朝鲜族自治州延吉市人民路1号 金哲 13800138000", name: "金哲", phone: "13800138000",
                    province: 220000, city: 222400, district: 222401, detail: "人民路1号"),
        AddressCase("延边州延吉市人民路1号 金哲 13800138000", name: "金哲", phone: "13800138000",
                    province: 220000, city: 222400, district: 222401, detail: "人民路1号"),
        AddressCase("云南西双版纳州景洪市勐泐大道1号 杨丽 13800138000", name: "杨丽", phone: "13800138000",
                    province: 530000, city: 532800, district: 532801, detail: "勐泐大道1号"),
        AddressCase("贵州省黔南布依族苗族自治州都匀市1号 王芳 13912345678", name: "王芳", phone: "13912345678",
                    province: 520000, city: 522700, district: 522701, detail: "1号"),
        AddressCase("黔南州都匀市剑江路1号 王芳 13912345678", name: "王芳", phone: "13912345678",
                    province: 520000, city: 522700, district: 522701, detail: "剑江路1号"),
        AddressCase("湖北省恩施土家族苗族自治州恩施市1号 王芳 13912345678", name: "王芳", phone: "13912345678",
                    province: 420000, city: 422800, district: 422801, detail: "1号"),
        AddressCase("甘肃省临夏回族自治州临夏市1号 王芳", name: "王芳",
                    province: 620000, city: 622900, district: 622901, detail: "1号"),
        AddressCase("青海省海南藏族自治州共和县1号 王芳", name: "王芳",
                    province: 630000, city: 632500, district: 632521, detail: "1号"),
    ]

    static let shortNames: [AddressCase] = [
        AddressCase("广东深圳南山区科技园路1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 440000, city: 440300, district: 440305, detail: "科技园路1号"),
        AddressCase("广东深圳南山科技园 李四 13800138000", name: "李四", phone: "13800138000",
                    province: 440000, city: 440300, district: 440305, detail: "科技园"),
        AddressCase("江苏南京鼓楼区中山路1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 320000, city: 320100, district: 320106, detail: "中山路1号"),
        AddressCase("浙江杭州西湖文三路90号 王芳 13912345678", name: "王芳", phone: "13912345678",
                    province: 330000, city: 330100, district: 330106, detail: "文三路90号"),
        AddressCase("湖南长沙岳麓区麓山南路1号 谢娜 13800138000", name: "谢娜", phone: "13800138000",
                    province: 430000, city: 430100, district: 430104, detail: "麓山南路1号"),
        AddressCase("四川成都高新区天府大道1号 陈晨 13800138000", name: "陈晨", phone: "13800138000",
                    province: 510000, city: 510100, detail: "高新区天府大道1号"),
        AddressCase("深圳 南山 科技园路1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 440000, city: 440300, district: 440305, detail: "科技园路1号"),
        AddressCase("江西南昌红谷滩区1号 刘一 13800138000", name: "刘一", phone: "13800138000",
                    province: 360000, city: 360100, district: 360113, detail: "1号"),
        AddressCase("福建厦门思明区厦禾路1号 陈二 13800138000", name: "陈二", phone: "13800138000",
                    province: 350000, city: 350200, district: 350203, detail: "厦禾路1号"),
        AddressCase("广西省南宁市青秀区1号 周八 18600001111", name: "周八", phone: "18600001111",
                    province: 450000, city: 450100, district: 450103, detail: "1号"),
        AddressCase("内蒙包头昆都仑区1号 孙七 15000001111", name: "孙七", phone: "15000001111",
                    province: 150000, city: 150200, district: 150203, detail: "1号"),
    ]

    static let ambiguousNames: [AddressCase] = [
        AddressCase("朝阳区建国路88号 张三 13800138000", name: "张三", phone: "13800138000", detail: "朝阳区建国路88号"),
        AddressCase("鼓楼区中山路1号 张三 13800138000", name: "张三", phone: "13800138000", detail: "鼓楼区中山路1号"),
        AddressCase("吉林省长春市朝阳区人民大街1号 刘一 13800138000", name: "刘一", phone: "13800138000",
                    province: 220000, city: 220100, district: 220104, detail: "人民大街1号"),
        AddressCase("福建省鼓楼区五四路1号 陈二 13800138000", name: "陈二", phone: "13800138000",
                    province: 350000, city: 350100, district: 350102, detail: "五四路1号"),
        AddressCase("辽宁省铁西区建设大路1号 陈二 13800138000", name: "陈二", phone: "13800138000",
                    province: 210000, detail: "铁西区建设大路1号"),
        AddressCase("北京朝阳区建国路88号", province: 110000, city: 110100, district: 110105, detail: "建国路88号"),
        AddressCase("西湖区文三路90号 王芳 13912345678", name: "王芳", phone: "13912345678", detail: "西湖区文三路90号"),
    ]

    static let citiesWithoutDistricts: [AddressCase] = [
        AddressCase("广东东莞市长安镇振安路1号 陈二 13800138000", name: "陈二", phone: "13800138000",
                    province: 440000, city: 441900, detail: "长安镇振安路1号"),
        AddressCase("东莞市南城街道鸿福路1号 陈二 13800138000", name: "陈二", phone: "13800138000",
                    province: 440000, city: 441900, detail: "南城街道鸿福路1号"),
        AddressCase("广东省中山市石岐街道孙文中路1号 13800138000 林三", name: "林三", phone: "13800138000",
                    province: 440000, city: 442000, detail: "石岐街道孙文中路1号"),
        AddressCase("海南省儋州市那大镇人民中路1号 13800138000 黄四", name: "黄四", phone: "13800138000",
                    province: 460000, city: 460400, detail: "那大镇人民中路1号"),
        AddressCase("甘肃嘉峪关市新华中路1号 13800138000 黄四", name: "黄四", phone: "13800138000",
                    province: 620000, city: 620200, detail: "新华中路1号"),
    ]

    static let unitsDirectlyUnderProvince: [AddressCase] = [
        AddressCase("河南省济源市沁园路1号 13800138000 何五", name: "何五", phone: "13800138000",
                    province: 410000, district: 419001, detail: "沁园路1号"),
        AddressCase("湖北仙桃市仙桃大道1号 13800138000 高六", name: "高六", phone: "13800138000",
                    province: 420000, district: 429004, detail: "仙桃大道1号"),
        AddressCase("海南省琼海市嘉积镇1号 13800138000 黄四", name: "黄四", phone: "13800138000",
                    province: 460000, district: 469002, detail: "嘉积镇1号"),
        AddressCase("新疆石河子市北四路1号 13800138000 吴九", name: "吴九", phone: "13800138000",
                    province: 650000, district: 659001, detail: "北四路1号"),
        AddressCase("湖北省神农架林区松柏镇1号 13800138000 高六", name: "高六", phone: "13800138000",
                    province: 420000, district: 429021, detail: "松柏镇1号"),
    ]

    static let phoneFormats: [AddressCase] = [
        nanshan("张三 138-0013-8000 广东省深圳市南山区科技园路1号"),
        nanshan("张三 138 0013 8000 广东省深圳市南山区科技园路1号"),
        nanshan("张三 +86 13800138000 广东省深圳市南山区科技园路1号"),
        nanshan("张三 86-13800138000 广东省深圳市南山区科技园路1号"),
        nanshan("张三 +86-138-0013-8000 广东省深圳市南山区科技园路1号"),
        nanshan("张三 0086 13800138000 广东省深圳市南山区科技园路1号"),
        nanshan("张三 +86 138 0013 8000 广东省深圳市南山区科技园路1号"),
        nanshan("张三 0755-12345678 广东省深圳市南山区科技园路1号", phone: "0755-12345678"),
        nanshan("张三 075512345678 广东省深圳市南山区科技园路1号", phone: "0755-12345678"),
        nanshan("张三 (0755)12345678 广东省深圳市南山区科技园路1号", phone: "0755-12345678"),
        nanshan("张三 87654321 广东省深圳市南山区科技园路1号", phone: "87654321"),
        nanshan("张三 +86 755 1234 5678 广东省深圳市南山区科技园路1号", phone: "0755-12345678"),
        nanshan("张三 +86-10-87654321 广东省深圳市南山区科技园路1号", phone: "010-87654321"),
        // The mobile is the phone; the landline is kept for the courier, not dropped.
        nanshan("张三 0755-12345678 13800138000 广东省深圳市南山区科技园路1号", detail: "科技园路1号 0755-12345678"),
        nanshan("张三13800138000广东省深圳市南山区科技园路1号"),
        nanshan("张三广东省深圳市南山区科技园路1号13800138000"),
        AddressCase("张三 010-87654321 北京市朝阳区建国路88号", name: "张三", phone: "010-87654321",
                    province: 110000, city: 110100, district: 110105, detail: "建国路88号"),
        AddressCase("张三 (020)87654321 广东省广州市天河区天河路385号", name: "张三", phone: "020-87654321",
                    province: 440000, city: 440100, district: 440106, detail: "天河路385号"),
        AddressCase("13800138000", phone: "13800138000"),
        nanshan("张三 518000 广东省深圳市南山区科技园路1号", phone: nil),
        AddressCase("张三，86-13800138000，广东省 深圳市 南山区 粤海街道 科技园路1号，000000", name: "张三", phone: "13800138000",
                    province: 440000, city: 440300, district: 440305, detail: "粤海街道 科技园路1号"),
    ]

    static let fullWidthAndNoise: [AddressCase] = [
        nanshan("张三　１３８００１３８０００　广东省深圳市南山区科技园路１号"),
        nanshan("０７５５－１２３４５６７８　张三　广东省深圳市南山区科技园路１号", phone: "0755-12345678"),
        nanshan("张三，＋８６　１３８　００１３　８０００，广东省深圳市南山区科技园路１号"),
        nanshan("张三 😀 13800138000 🏠广东省深圳市南山区科技园路1号"),
        nanshan("【张三】【13800138000】【广东省深圳市南山区科技园路1号】"),
        nanshan("张三\u{200B} 13800138000 广东省深圳\u{200B}市南山区科技园路1号"),
        nanshan("张三 13800138000 广东省深圳市南山区科技园路１号３栋５０１", detail: "科技园路1号3栋501"),
        AddressCase("", detail: nil),
        AddressCase("😀😀😀"),
        AddressCase("   \n\t  "),
    ]

    static let labels: [AddressCase] = [
        AddressCase("收货人：李四\n手机号码：138 0013 8000\n所在地区：上海市 浦东新区\n详细地址：张江路100号",
                    name: "李四", phone: "13800138000", province: 310000, city: 310100, district: 310115, detail: "张江路100号"),
        AddressCase("收货人:王芳 手机号码:13912345678 所在地区:浙江省杭州市西湖区 详细地址:文三路90号",
                    name: "王芳", phone: "13912345678", province: 330000, city: 330100, district: 330106, detail: "文三路90号"),
        AddressCase("姓名:张三,电话:0755-12345678,地址:广东省深圳市福田区深南大道1号",
                    name: "张三", phone: "0755-12345678", province: 440000, city: 440300, district: 440304, detail: "深南大道1号"),
        AddressCase("收件人：欧阳娜娜；联系电话：13800138000；收货地址：浙江省杭州市西湖区文三路1号",
                    name: "欧阳娜娜", phone: "13800138000", province: 330000, city: 330100, district: 330106, detail: "文三路1号"),
        AddressCase("联系人 张伟\n电话 13800138000\n地址 北京市海淀区中关村大街1号",
                    name: "张伟", phone: "13800138000", province: 110000, city: 110100, district: 110108, detail: "中关村大街1号"),
        nanshan("收货人张三 手机13800138000 地址广东省深圳市南山区科技园路1号"),
        nanshan("张三：13800138000\n广东省深圳市南山区科技园路1号"),
        AddressCase("详细地址：王府井大街1号\n所在地区：北京市东城区\n收货人：李雷\n手机号码：13800138000",
                    name: "李雷", phone: "13800138000", province: 110000, city: 110100, district: 110101, detail: "王府井大街1号"),
        nanshan("邮编：518000 收货人：张三 电话：13800138000 地址：广东省深圳市南山区科技园路1号"),
        AddressCase("收货人: Tom Smith 手机: 13800138000 地址: 上海市静安区南京西路1号", name: "Tom Smith", phone: "13800138000",
                    province: 310000, city: 310100, district: 310106, detail: "南京西路1号"),
        nanshan("收货人 : 张三\n备注：放门口\n手机号码 : 13800138000\n详细地址 : 广东省深圳市南山区科技园路1号",
                detail: "科技园路1号 放门口"),
    ]

    static let names: [AddressCase] = [
        AddressCase("买买提·艾力 13800138000 新疆乌鲁木齐市天山区解放北路1号", name: "买买提·艾力", phone: "13800138000",
                    province: 650000, city: 650100, district: 650102, detail: "解放北路1号"),
        AddressCase("阿卜杜拉•艾则孜，13800138000，新疆维吾尔自治区喀什地区喀什市人民东路1号", name: "阿卜杜拉·艾则孜",
                    phone: "13800138000", province: 650000, city: 653100, district: 653101, detail: "人民东路1号"),
        AddressCase("欧阳娜娜，86-13800138000，浙江省杭州市西湖区文三路1号", name: "欧阳娜娜", phone: "13800138000",
                    province: 330000, city: 330100, district: 330106, detail: "文三路1号"),
        nanshan("张先生 13800138000 广东省深圳市南山区科技园路1号", name: "张先生"),
        nanshan("广东省深圳市南山区 科技园 张三 13800138000", detail: "科技园"),
        nanshan("广东省深圳市南山区 万科城 张三 13800138000", detail: "万科城"),
        AddressCase("上海市浦东新区 张江镇 李四 13800138000", name: "李四", phone: "13800138000",
                    province: 310000, city: 310100, district: 310115, detail: "张江镇"),
        AddressCase("北京市朝阳区建国路88号SOHO现代城A座1001室 王五 13800138000", name: "王五", phone: "13800138000",
                    province: 110000, city: 110100, district: 110105, detail: "建国路88号SOHO现代城A座1001室"),
        nanshan("广东省深圳市南山区科技园路1号 3栋 501室 张三 13800138000", detail: "科技园路1号 3栋 501室"),
        nanshan("广东省深圳市南山区科技园路1号 13800138000", name: nil),
        nanshan("司马光 13800138000 广东省深圳市南山区科技园路1号", name: "司马光"),
        AddressCase("黄山市屯溪区1号 黄山 13800138000", phone: "13800138000",
                    province: 340000, city: 341000, district: 341002, detail: "1号 黄山"),
    ]

    static let specialRegions: [AddressCase] = [
        AddressCase("香港特别行政区九龙弥敦道1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 810000, detail: "九龙弥敦道1号"),
        AddressCase("香港油尖旺区弥敦道1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 810000, district: 810109, detail: "弥敦道1号"),
        AddressCase("澳门花地玛堂区1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 820000, district: 820008, detail: "1号"),
        AddressCase("台湾省台北市大安区1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 710000, city: 710100, district: 710112, detail: "1号"),
        AddressCase("山东省青岛市市南区香港中路1号 张三 13800138000", name: "张三", phone: "13800138000",
                    province: 370000, city: 370200, district: 370202, detail: "香港中路1号"),
        AddressCase("河北省石家庄市长安区中山东路1号 刘一 13800138000", name: "刘一", phone: "13800138000",
                    province: 130000, city: 130100, district: 130102, detail: "中山东路1号"),
        AddressCase("黑龙江省哈尔滨市南岗区西大直街1号 刘一 13800138000", name: "刘一", phone: "13800138000",
                    province: 230000, city: 230100, district: 230103, detail: "西大直街1号"),
        AddressCase("陕西省西安市雁塔区长安南路1号 刘一 13800138000", name: "刘一", phone: "13800138000",
                    province: 610000, city: 610100, district: 610113, detail: "长安南路1号"),
        AddressCase("安徽省合肥市蜀山区长江西路1号 王芳 13912345678", name: "王芳", phone: "13912345678",
                    province: 340000, city: 340100, district: 340104, detail: "长江西路1号"),
        AddressCase("海南省海口市美兰区1号 王芳", name: "王芳", province: 460000, city: 460100, district: 460108, detail: "1号"),
        AddressCase("吉林吉林市船营区1号 王芳", name: "王芳", province: 220000, city: 220200, district: 220204, detail: "1号"),
    ]

    static var allCases: [AddressCase] {
        orderAndSeparators + missingLevels + municipalities + autonomousRegions + shortNames + ambiguousNames
            + citiesWithoutDistricts + unitsDirectlyUnderProvince + phoneFormats + fullWidthAndNoise + labels + names
            + specialRegions
    }

    @Test("name, phone and address are found whatever their order and separators", arguments: orderAndSeparators)
    func parsesOrderAndSeparators(_ address: AddressCase) { address.check() }

    @Test("a missing province or city is filled from the level below; a street is not taken for a district",
          arguments: missingLevels)
    func parsesMissingLevels(_ address: AddressCase) { address.check() }

    @Test("municipalities get their city row; 重庆 picks its city from the district", arguments: municipalities)
    func parsesMunicipalities(_ address: AddressCase) { address.check() }

    @Test("autonomous regions and prefectures are read by full and short name", arguments: autonomousRegions)
    func parsesAutonomousRegions(_ address: AddressCase) { address.check() }

    @Test("short names without 省, 市 or 区 are read", arguments: shortNames)
    func parsesShortNames(_ address: AddressCase) { address.check() }

    @Test("a district name found in several cities is resolved by the province or city, or left in the detail",
          arguments: ambiguousNames)
    func parsesAmbiguousNames(_ address: AddressCase) { address.check() }

    @Test("a city without districts has no district", arguments: citiesWithoutDistricts)
    func parsesCitiesWithoutDistricts(_ address: AddressCase) { address.check() }

    @Test("a county-level city under its province has no city", arguments: unitsDirectlyUnderProvince)
    func parsesUnitsDirectlyUnderProvince(_ address: AddressCase) { address.check() }

    @Test("mobile and landline numbers are found in every common format", arguments: phoneFormats)
    func parsesPhoneFormats(_ address: AddressCase) { address.check() }

    @Test("full-width characters, emoji, brackets and blank input are handled", arguments: fullWidthAndNoise)
    func parsesFullWidthAndNoise(_ address: AddressCase) { address.check() }

    @Test("labels copied from other apps are dropped and tell what follows", arguments: labels)
    func parsesLabels(_ address: AddressCase) { address.check() }

    @Test("names with ·, compound surnames and titles are names; address words are not", arguments: names)
    func parsesNames(_ address: AddressCase) { address.check() }

    @Test("Hong Kong, Macau, Taiwan and streets named after places", arguments: specialRegions)
    func parsesSpecialRegions(_ address: AddressCase) { address.check() }

    @Test("the test set covers at least 80 addresses, each once")
    func caseCount() {
        #expect(Self.allCases.count >= 80)
        #expect(Set(Self.allCases.map(\.input)).count == Self.allCases.count)
    }

    @Test("the parsed regions carry their full names")
    func regionNames() {
        let parsed = AddressParser.parse("广西桂林秀峰区中山中路1号 周八 18600001111")
        #expect(parsed.province?.name == "广西壮族自治区")
        #expect(parsed.city?.name == "桂林市")
        #expect(parsed.district?.name == "秀峰区")
    }

    @Test("input over 200 scalars is not parsed and says so")
    func tooLong() {
        let limit = "张三 13800138000 广东省深圳市南山区科技园路1号" + String(repeating: "号", count: 200)
        let parsed = AddressParser.parse(String(limit.unicodeScalars.prefix(AddressParser.inputScalarsMax + 1)))
        #expect(parsed == ParsedAddress(isInputTooLong: true))
        let atLimit = AddressParser.parse(String(limit.unicodeScalars.prefix(AddressParser.inputScalarsMax)))
        #expect(!atLimit.isInputTooLong)
        #expect(atLimit.district?.code == 440305)
    }

    @Test("random text, replacement characters and lone combining marks never trap")
    func randomInput() {
        var generator = AddressFuzzGenerator(seed: 0x5EED_ADD2)
        let pieces = ["张三", "广东省", "深圳", "南山区", "朝阳区", "重庆市", "138", "0013", "8000", "+86", "-", " ", "，", "：",
                      "收货人", "·", "😀", "\u{301}", "\u{FFFD}", "\u{0}", "１", "Ａ", "\n", "(", ")", "号", "路", "x"]
        for _ in 0..<2_000 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &generator) { text += pieces.randomElement(using: &generator) ?? "" }
            let bytes = (0..<Int.random(in: 0...8, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            text += String(decoding: bytes, as: UTF8.self)
            let parsed = AddressParser.parse(text)
            #expect((parsed.detail?.unicodeScalars.count ?? 0) <= AddressParser.inputScalarsMax)
        }
    }
}

/// A deterministic generator (SplitMix64), so a failing input can be replayed.
/// Its own, because this file imports only Engine and Testing.
private struct AddressFuzzGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
