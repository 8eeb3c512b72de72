/// Common Chinese surnames. The address parser takes a short unlabelled piece
/// of text for a name only when it starts with one (so 科技园 or 王府井大街 stay
/// in the address), and `RealName.masked` keeps a compound surname whole (欧阳**).
/// Rare surnames and characters that mostly start place words (门, 海, 国, 平)
/// are left out on purpose: a name missed lands in the detail, where the user
/// sees and fixes it; a detail taken for a name would vanish from the address.
enum ChineseSurname {
    static let compound: Set<String> = [
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
        "司徒", "夏侯", "轩辕", "令狐", "端木", "南宫", "独孤", "西门", "百里", "呼延", "澹台",
        "公羊", "万俟", "闻人", "申屠", "赫连", "钟离", "拓跋", "太史", "东郭", "濮阳", "单于",
    ]

    static let single: Set<Unicode.Scalar> = Set("""
        王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋\
        蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎\
        段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪\
        庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛\
        曲翁冉骆蓝游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚\
        娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎\
        甄丛仲虞敖巩佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥班储原栗燕楚鄢劳谌奚皮粟冼蔺伊仝\
        郜阚帅屠朴盖廉禹漆巴丰卿狄计索宣晋扈晁芮阙浦邸雍辜羊阿乌裘亓邰赫杭逯茹诸慕嵇哈戎\
        茅尉冶斯檀昝
        """.unicodeScalars)

    /// The length in characters of the known surname `name` starts with, 0 if none.
    static func length(at name: some Collection<Unicode.Scalar>) -> Int {
        if name.count >= 2, compound.contains(AddressText.string(name.prefix(2))) { return 2 }
        if let first = name.first, single.contains(first) { return 1 }
        return 0
    }
}
