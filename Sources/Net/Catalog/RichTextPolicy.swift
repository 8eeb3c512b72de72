/// What a product's rich-text detail may hold: the tags, attributes, URLs and
/// CSS the mini-program's `rich-text` / `mp-html` render and nothing that runs.
enum RichTextPolicy {
    static let allowedElements: Set<String> = [
        "p", "br", "span", "div", "strong", "b", "em", "i", "u", "s", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "li", "blockquote", "img", "a", "table", "thead", "tbody", "tr", "th", "td", "section",
        "hr", "pre", "code", "sub", "sup",
    ]

    /// Elements with no content and no end tag.
    static let voidElements: Set<String> = ["br", "hr", "img"]

    /// Dropped with everything inside them: their content is code, a document
    /// of its own, or form controls, never product text. (`embed` and `frame`
    /// are void: only the tag goes.)
    static let droppedWithContent: Set<String> = HTMLTokenizer.rawTextElements.union([
        "object", "embed", "form", "svg", "math", "template", "applet", "frameset", "frame",
    ])

    /// Void or self-closable among `droppedWithContent`: they open no subtree to skip.
    static func opensDroppedSubtree(_ tag: HTMLTokenizer.StartTag) -> Bool {
        if HTMLTokenizer.rawTextElements.contains(tag.name) { return false }  // the tokenizer ate the content
        if tag.name == "embed" || tag.name == "frame" { return false }
        // `<svg/>` is an empty element (foreign content honours `/>`); `<form/>` is not.
        if tag.isSelfClosing, tag.name == "svg" || tag.name == "math" { return false }
        return true
    }

    /// Block elements: they close an open `p` and break words in `plainText`.
    static let blockElements: Set<String> = [
        "p", "div", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "thead",
        "tbody", "tr", "th", "td", "section", "hr", "pre", "br",
    ]

    static let urlBytesMax = 2048
    static let textAttributeCharactersMax = 500
    static let styleBytesMax = 2048
    static let styleValueBytesMax = 100
    static let classTokensMax = 16
    static let classTokenBytesMax = 64

    // MARK: Attributes

    /// The attribute as it may be written, or nil to drop it. `value` is decoded.
    static func sanitizedAttribute(_ name: String, of element: String, value: String) -> String? {
        switch (element, name) {
        case (_, "class"): sanitizedClass(value)
        case (_, "style"): sanitizedStyle(value)
        case ("img", "src"), ("a", "href"): sanitizedURL(value)
        case ("img", "alt"), ("a", "title"): sanitizedText(value)
        case ("img", "width"), ("img", "height"): sanitizedDimension(value)
        case ("td", "colspan"), ("td", "rowspan"), ("th", "colspan"), ("th", "rowspan"): sanitizedSpan(value)
        default: nil  // on* handlers and everything else
        }
    }

    /// Keeps tokens of letters, digits, `-` and `_`.
    static func sanitizedClass(_ value: String) -> String? {
        let tokens = value.split(whereSeparator: { $0.isASCII && $0.isWhitespace })
            .filter { token in
                token.utf8.count <= classTokenBytesMax && token.utf8.allSatisfy {
                    HTMLTokenizer.isASCIILetter($0) || isDigit($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_")
                }
            }
            .prefix(classTokensMax)
        return tokens.isEmpty ? nil : tokens.joined(separator: " ")
    }

    static func sanitizedText(_ value: String) -> String? {
        String(value.prefix(textAttributeCharactersMax))
    }

    /// `120`, `120px` or `50%`.
    static func sanitizedDimension(_ value: String) -> String? {
        let trimmed = value.trimmingASCIIWhitespace()
        var digits = Substring(trimmed)
        if digits.hasSuffix("px") { digits = digits.dropLast(2) } else if digits.hasSuffix("%") { digits = digits.dropLast() }
        guard (1...5).contains(digits.utf8.count), digits.utf8.allSatisfy(isDigit) else { return nil }
        return trimmed
    }

    /// 1...1000, the span browsers honour.
    static func sanitizedSpan(_ value: String) -> String? {
        let trimmed = value.trimmingASCIIWhitespace()
        guard trimmed.utf8.count <= 4, let span = Int(trimmed), (1...1000).contains(span) else { return nil }
        return String(span)
    }

    // MARK: URLs

    /// Only `http://`, `https://`, protocol-relative `//` and `/uploads/` paths.
    ///
    /// The check runs on the value a browser's URL parser would see: character
    /// references already decoded, ASCII tab and newlines removed anywhere,
    /// leading and trailing controls and spaces trimmed. So `jav&#x61;script:`,
    /// `java\tscript:`, ` javascript:` and `JAVASCRIPT:` all fail: they start
    /// with none of the allowed prefixes. Allowing prefixes rather than refusing
    /// schemes means `vbscript:`, `data:` and schemes nobody has thought of fail
    /// too. `data:image/...;base64` is refused as well: product images belong on
    /// the CDN or under `/uploads/` (scanned, cached, counted), and inline data
    /// would eat the detail's size budget.
    static func sanitizedURL(_ value: String) -> String? {
        var scalars = Array(value.unicodeScalars.filter { $0 != "\t" && $0 != "\n" && $0 != "\r" })[...]
        while let first = scalars.first, first.value <= 0x20 { scalars.removeFirst() }
        while let last = scalars.last, last.value <= 0x20 { scalars.removeLast() }
        guard !scalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return nil }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        let url = String(view)
        guard !url.isEmpty, url.utf8.count <= urlBytesMax else { return nil }
        let lowercasedPrefix = String(decoding: url.utf8.prefix(9).map(HTMLTokenizer.lowercased), as: UTF8.self)
        let isAllowed = lowercasedPrefix.hasPrefix("https://") || lowercasedPrefix.hasPrefix("http://")
            || url.hasPrefix("//") || url.hasPrefix("/uploads/")
        return isAllowed ? url : nil
    }

    // MARK: CSS

    static let allowedProperties: Set<String> = [
        "color", "background-color", "font-size", "font-weight", "text-align", "text-decoration", "line-height",
        "margin", "margin-top", "margin-right", "margin-bottom", "margin-left",
        "padding", "padding-top", "padding-right", "padding-bottom", "padding-left",
        "width", "height", "max-width",
    ]

    /// Anywhere in a style, these drop the whole attribute: they load or run
    /// something (`url(`, `expression`, `@import`, `behavior`, `-moz-binding`,
    /// `javascript:`) or can disguise what the declaration says (`\` escapes,
    /// `/*` comments, `&`, `<`).
    static let forbiddenInStyle = [
        "url(", "expression", "javascript:", "vbscript:", "@import", "behavior", "-moz-binding", "\\", "/*", "*/",
        "<", ">", "&",
    ]

    /// Allowed properties with plain values (`#e13c39`, `rgb(225, 60, 57)`,
    /// `14px`, `center`, `100% !important`), written back as `name: value;`
    /// separated by one space, the form editors write.
    static func sanitizedStyle(_ value: String) -> String? {
        guard value.utf8.count <= styleBytesMax else { return nil }
        let lowercased = String(decoding: value.utf8.map(HTMLTokenizer.lowercased), as: UTF8.self)
        guard !forbiddenInStyle.contains(where: { lowercased.contains($0) }) else { return nil }
        var declarations: [String] = []
        for declaration in value.split(separator: ";") {
            guard let colon = declaration.firstIndex(of: ":") else { continue }
            let property = String(declaration[..<colon]).trimmingASCIIWhitespace().lowercasedASCII()
            let propertyValue = collapsingSpaces(String(declaration[declaration.index(after: colon)...]))
            guard allowedProperties.contains(property), isPlainValue(propertyValue) else { continue }
            declarations.append("\(property): \(propertyValue);")
        }
        return declarations.isEmpty ? nil : declarations.joined(separator: " ")
    }

    /// Letters, digits, spaces and `# % . , - + !`, with parentheses only after
    /// `rgb`, `rgba`, `hsl` or `hsla`, not nested.
    static func isPlainValue(_ value: String) -> Bool {
        let bytes = Array(value.utf8)
        guard (1...styleValueBytesMax).contains(bytes.count) else { return false }
        var isInFunction = false
        for (index, byte) in bytes.enumerated() {
            switch byte {
            case UInt8(ascii: "("):
                guard !isInFunction, isColorFunction(before: index, in: bytes) else { return false }
                isInFunction = true
            case UInt8(ascii: ")"):
                guard isInFunction else { return false }
                isInFunction = false
            case UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "-"),
                 UInt8(ascii: "+"), UInt8(ascii: "!"), UInt8(ascii: " "):
                continue
            default:
                guard HTMLTokenizer.isASCIILetter(byte) || isDigit(byte) else { return false }
            }
        }
        return !isInFunction
    }

    private static func isColorFunction(before index: Int, in bytes: [UInt8]) -> Bool {
        var start = index
        while start > 0, HTMLTokenizer.isASCIILetter(bytes[start - 1]) { start -= 1 }
        let name = String(decoding: bytes[start..<index].map(HTMLTokenizer.lowercased), as: UTF8.self)
        return ["rgb", "rgba", "hsl", "hsla"].contains(name)
    }

    private static func collapsingSpaces(_ text: String) -> String {
        text.split(whereSeparator: { $0.isASCII && $0.isWhitespace }).joined(separator: " ")
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }
}

extension String {
    fileprivate func trimmingASCIIWhitespace() -> String {
        let utf8 = Array(self.utf8)
        guard let first = utf8.firstIndex(where: { !HTMLTokenizer.isWhitespace($0) }),
              let last = utf8.lastIndex(where: { !HTMLTokenizer.isWhitespace($0) }) else { return "" }
        return String(decoding: utf8[first...last], as: UTF8.self)
    }

    fileprivate func lowercasedASCII() -> String {
        String(decoding: utf8.map(HTMLTokenizer.lowercased), as: UTF8.self)
    }
}
