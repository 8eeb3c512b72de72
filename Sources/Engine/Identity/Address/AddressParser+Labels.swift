extension AddressParser {
    /// Label words of the forms users copy from (WeChat, Taobao, JD), lowercased.
    static let labelsByWord: [String: AddressToken.Label] = {
        var labels: [String: AddressToken.Label] = [:]
        let words: [(AddressToken.Label, [String])] = [
            (.name, ["收货人", "收件人", "联系人", "姓名", "名字", "收货人姓名", "收件人姓名", "联系人姓名", "客户姓名",
                     "签收人", "name"]),
            (.phone, ["手机号码", "手机号", "手机", "电话号码", "电话", "联系电话", "联系方式", "联系手机", "收货人电话",
                      "收货人手机", "收件人电话", "收件人手机", "号码", "固话", "座机", "tel", "phone", "mobile"]),
            (.region, ["所在地区", "所在地", "地区", "省市区", "省市", "所在城市", "省份", "城市", "收货地区"]),
            (.detail, ["详细地址", "收货地址", "地址", "街道地址", "门牌号", "收件地址", "address"]),
            (.postcode, ["邮编", "邮政编码"]),
        ]
        for (label, list) in words {
            for word in list { labels[word] = label }
        }
        return labels
    }()

    /// Labels also recognised glued to their value (收货人张三, 地址广东省...),
    /// longest first so 手机号码 goes before 手机.
    static let gluedLabels: [(word: [Unicode.Scalar], label: AddressToken.Label)] = [
        "收货人", "收件人", "联系人", "姓名", "手机号码", "手机号", "联系电话", "手机", "电话",
        "所在地区", "详细地址", "收货地址", "地址",
    ].compactMap { word in labelsByWord[word].map { (Array(word.unicodeScalars), $0) } }
        .sorted { $0.word.count > $1.word.count }

    /// An unknown word before a colon (备注:, 配送时间:) is taken for a label
    /// when it is this short and names no division and no person (张三:).
    static let unknownLabelScalarsMax = 6

    /// Drops label pieces and postcodes, and marks the piece after each label
    /// with what the label said. A phone label marks nothing: its number is
    /// already taken out.
    static func labelled(_ tokens: [AddressToken], matcher: RegionMatcher) -> [AddressToken] {
        var result: [AddressToken] = []
        var pending: AddressToken.Label?
        for token in tokens {
            if let label = labelsByWord[token.text.lowercased()] {
                pending = label == .phone ? nil : label
                continue
            }
            if token.endsWithColon, isUnknownLabel(token, matcher: matcher) {
                pending = nil
                continue
            }
            var token = token
            if let glued = gluedLabels.first(where: { token.scalars.starts(with: $0.word) && token.scalars.count > $0.word.count }) {
                token.scalars.removeFirst(glued.word.count)
                token.label = glued.label
            } else if let pending {
                token.label = pending
            }
            pending = nil
            // Six digits standing alone are a postcode (Taobao appends 000000); a
            // house or room number comes with 号, 室 or a building.
            let isPostcode = (token.label == .postcode || token.label == .none) && token.scalars.count == 6
                && token.scalars.allSatisfy(AddressText.isDigit)
            if !isPostcode { result.append(token) }
        }
        return result
    }

    private static func isUnknownLabel(_ token: AddressToken, matcher: RegionMatcher) -> Bool {
        token.scalars.count <= unknownLabelScalarsMax
            && token.scalars.allSatisfy(AddressText.isCJK)
            && !matcher.startsWithRegion(token.scalars)
            && !looksLikeName(token.scalars, matcher: matcher)
    }
}
