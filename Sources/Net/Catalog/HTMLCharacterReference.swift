/// Decodes HTML character references (`&amp;`, `&#x61;`, `&#97`) in text and
/// attribute values, so checks (a URL's scheme) see what a browser would.
///
/// Numeric references follow the standard (semicolon optional; 0, surrogates
/// and values past U+10FFFF become U+FFFD). Named references cover what
/// editors write plus the ones used to hide URL schemes (`&colon;`, `&Tab;`,
/// `&NewLine;`); an unknown name stays as written and is re-escaped on output
/// (`&amp;name;`), which a browser shows as the same literal text, so an
/// unknown reference can never decode to something the checks did not see.
enum HTMLCharacterReference {
    /// - Complexity: O(n).
    static func decode(_ bytes: ArraySlice<UInt8>, isAttributeValue: Bool) -> String {
        guard bytes.contains(ampersand) else { return String(decoding: bytes, as: UTF8.self) }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            guard bytes[index] == ampersand,
                  let (replacement, length) = reference(in: bytes, at: index, isAttributeValue: isAttributeValue)
            else {
                output.append(bytes[index])
                index += 1
                continue
            }
            output.append(contentsOf: replacement.utf8)
            index += length
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// The reference starting at `bytes[start]` (an `&`) and how many bytes it takes.
    private static func reference(
        in bytes: ArraySlice<UInt8>, at start: Int, isAttributeValue: Bool
    ) -> (String, Int)? {
        let afterAmpersand = start + 1
        guard afterAmpersand < bytes.endIndex else { return nil }
        if bytes[afterAmpersand] == UInt8(ascii: "#") { return numeric(in: bytes, at: start) }
        var end = afterAmpersand
        while end < bytes.endIndex, end - afterAmpersand < nameLengthMax, isAlphanumeric(bytes[end]) { end += 1 }
        guard end > afterAmpersand else { return nil }
        let name = String(decoding: bytes[afterAmpersand..<end], as: UTF8.self)
        if end < bytes.endIndex, bytes[end] == UInt8(ascii: ";"), let value = named[name] {
            return (value, end + 1 - start)
        }
        // Without `;` only the legacy names decode, and in an attribute not
        // before `=` (a query string `?a=1&copy=2` keeps its `&copy=`).
        guard let value = legacyNamed[name] else { return nil }
        if isAttributeValue, end < bytes.endIndex, bytes[end] == UInt8(ascii: "=") { return nil }
        return (value, end - start)
    }

    private static func numeric(in bytes: ArraySlice<UInt8>, at start: Int) -> (String, Int)? {
        var index = start + 2
        let isHex = index < bytes.endIndex && (bytes[index] | 0x20) == UInt8(ascii: "x")
        if isHex { index += 1 }
        let digitsStart = index
        var value: UInt32 = 0
        while index < bytes.endIndex, let digit = digitValue(bytes[index], isHex: isHex) {
            // Saturates past U+10FFFF however many digits follow.
            value = min(value * (isHex ? 16 : 10) + digit, 0x11_0000)
            index += 1
        }
        guard index > digitsStart else { return nil }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ";") { index += 1 }
        let scalar = value == 0 ? nil : Unicode.Scalar(value)
        return (String(Character(scalar ?? "\u{FFFD}")), index - start)
    }

    private static func digitValue(_ byte: UInt8, isHex: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where isHex: UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where isHex: UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        HTMLTokenizer.isASCIILetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    private static let ampersand = UInt8(ascii: "&")
    /// The longest name in `named`, with room to spare.
    private static let nameLengthMax = 32

    static let legacyNamed: [String: String] = [
        "amp": "&", "AMP": "&", "lt": "<", "LT": "<", "gt": ">", "GT": ">", "quot": "\"", "QUOT": "\"",
        "nbsp": "\u{A0}", "copy": "©", "COPY": "©", "reg": "®", "REG": "®",
    ]

    static let named: [String: String] = legacyNamed.merging([
        "apos": "'", "Tab": "\t", "NewLine": "\n", "colon": ":", "sol": "/", "bsol": "\\", "lpar": "(", "rpar": ")",
        "semi": ";", "comma": ",", "period": ".", "excl": "!", "quest": "?", "num": "#", "percnt": "%",
        "equals": "=", "lowbar": "_", "hyphen": "\u{2010}", "commat": "@", "plus": "+", "ast": "*",
        "lsqb": "[", "rsqb": "]", "lcub": "{", "rcub": "}", "verbar": "|", "grave": "`", "Hat": "^",
        "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}", "zwnj": "\u{200C}", "zwj": "\u{200D}",
        "shy": "\u{AD}", "ndash": "–", "mdash": "—", "lsquo": "‘", "rsquo": "’", "sbquo": "‚", "ldquo": "“",
        "rdquo": "”", "bdquo": "„", "hellip": "…", "middot": "·", "bull": "•", "trade": "™", "times": "×",
        "divide": "÷", "plusmn": "±", "deg": "°", "yen": "¥", "cent": "¢", "pound": "£", "euro": "€",
        "sect": "§", "para": "¶", "laquo": "«", "raquo": "»", "larr": "←", "rarr": "→", "uarr": "↑",
        "darr": "↓", "hearts": "♥", "star": "☆", "check": "✓", "permil": "‰", "prime": "′", "micro": "µ",
        "sup1": "¹", "sup2": "²", "sup3": "³", "frac12": "½", "frac14": "¼", "frac34": "¾",
    ]) { legacy, _ in legacy }
}
