/// A small HTML tokenizer after the WHATWG tokenization rules that matter for
/// sanitising: tag names end only at whitespace, `/` or `>`; attribute values
/// may be quoted either way or unquoted; comments, doctypes, CDATA and
/// processing instructions are skipped; script/style-like elements hold raw
/// text up to their own end tag; a tag cut off by the end of input is dropped
/// with everything after it (as browsers do).
///
/// It works on UTF-8 bytes and splits only at ASCII bytes, so every range it
/// hands out is valid UTF-8. It never looks back: O(n) in the input.
/// Safety does not depend on it agreeing with a browser: `RichTextSanitizer`
/// re-serialises every token it keeps, escaped, so a misreading can only
/// change which text survives, never let markup through.
struct HTMLTokenizer {
    struct Attribute: Equatable {
        /// ASCII-lowercased.
        let name: String
        /// The raw value, character references not yet decoded; empty when absent.
        let value: Range<Int>
    }

    struct StartTag: Equatable {
        /// ASCII-lowercased.
        let name: String
        let attributes: [Attribute]
        let isSelfClosing: Bool
    }

    enum Token: Equatable {
        /// Text with character references not yet decoded.
        case text(Range<Int>)
        case startTag(StartTag)
        case endTag(name: String)
        /// The content of a raw text element (`rawTextElements`): never markup.
        case rawText(Range<Int>)
    }

    /// Elements whose content is not markup, up to `</name`: script data,
    /// RAWTEXT and RCDATA in the standard (`noscript` as with scripting on).
    static let rawTextElements: Set<String> = [
        "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
    ]

    let bytes: [UInt8]
    private(set) var position = 0
    /// Set after the start tag of a raw text element: the name its content ends at.
    private var rawTextEndName: [UInt8]?

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func next() -> Token? {
        while position < bytes.count {
            if let name = rawTextEndName {
                rawTextEndName = nil
                let start = position
                position = rawTextEnd(name, from: start)
                if position > start { return .rawText(start..<position) }
                continue
            }
            guard bytes[position] == Self.lessThan else { return text(from: position) }
            // 0 (end of input) is none of the cases: a lone `<`.
            switch byte(at: position + 1) ?? 0 {
            case UInt8(ascii: "!"):
                skipMarkupDeclaration()
            case UInt8(ascii: "?"):
                skipBogusComment(from: position + 2)
            case UInt8(ascii: "/"):
                let afterSlash = byte(at: position + 2)
                if let afterSlash, Self.isASCIILetter(afterSlash) {
                    if let token = endTag() { return token }
                } else if afterSlash == UInt8(ascii: ">") {
                    position += 3  // `</>` is nothing
                } else if afterSlash == nil {
                    return text(from: position, through: bytes.count)
                } else {
                    skipBogusComment(from: position + 2)
                }
            case let letter where Self.isASCIILetter(letter):
                if let token = startTag() { return token }
            default:
                // A lone `<` (`a < b`, `<3`) is text.
                return text(from: position, skippingFirst: true)
            }
        }
        return nil
    }

    // MARK: Text

    private mutating func text(from start: Int, skippingFirst: Bool = false) -> Token {
        var end = skippingFirst ? start + 1 : start
        while end < bytes.count, bytes[end] != Self.lessThan { end += 1 }
        return text(from: start, through: end)
    }

    private mutating func text(from start: Int, through end: Int) -> Token {
        position = end
        return .text(start..<end)
    }

    /// The index of the `</name` (any case, then whitespace, `/` or `>`) ending a
    /// raw text element, or the end of input when there is none.
    private func rawTextEnd(_ name: [UInt8], from start: Int) -> Int {
        var index = start
        while index < bytes.count {
            defer { index += 1 }
            guard bytes[index] == Self.lessThan, byte(at: index + 1) == UInt8(ascii: "/") else { continue }
            let nameStart = index + 2
            guard nameStart + name.count < bytes.count else { return bytes.count }
            let matches = name.indices.allSatisfy { Self.lowercased(bytes[nameStart + $0]) == name[$0] }
            let delimiter = bytes[nameStart + name.count]
            if matches, Self.isWhitespace(delimiter) || delimiter == UInt8(ascii: "/") || delimiter == UInt8(ascii: ">") {
                return index
            }
        }
        return bytes.count
    }

    // MARK: Tags

    /// At `<` + letter. nil when the input ends inside the tag: it and the rest are dropped.
    private mutating func startTag() -> Token? {
        var index = position + 1
        let nameBytes = tagName(at: &index)
        guard let parsed = attributes(from: index) else {
            position = bytes.count
            return nil
        }
        position = parsed.end
        let name = String(decoding: nameBytes, as: UTF8.self)
        if Self.rawTextElements.contains(name) { rawTextEndName = nameBytes }
        return .startTag(StartTag(name: name, attributes: parsed.attributes, isSelfClosing: parsed.isSelfClosing))
    }

    /// At `</` + letter. Attributes on an end tag are read (their quotes can hide
    /// a `>`) and thrown away.
    private mutating func endTag() -> Token? {
        var index = position + 2
        let nameBytes = tagName(at: &index)
        guard let parsed = attributes(from: index) else {
            position = bytes.count
            return nil
        }
        position = parsed.end
        return .endTag(name: String(decoding: nameBytes, as: UTF8.self))
    }

    private func tagName(at index: inout Int) -> [UInt8] {
        var name: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isWhitespace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") { break }
            name.append(Self.lowercased(byte))
            index += 1
        }
        return name
    }

    /// Reads attributes up to and including the tag's `>`.
    /// - Returns: nil when the input ends first.
    private func attributes(from start: Int) -> (attributes: [Attribute], isSelfClosing: Bool, end: Int)? {
        var attributes: [Attribute] = []
        var index = start
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isWhitespace(byte) {
                index += 1
            } else if byte == UInt8(ascii: ">") {
                return (attributes, false, index + 1)
            } else if byte == UInt8(ascii: "/") {
                if self.byte(at: index + 1) == UInt8(ascii: ">") { return (attributes, true, index + 2) }
                index += 1
            } else {
                guard let attribute = attribute(at: &index) else { return nil }
                attributes.append(attribute)
            }
        }
        return nil
    }

    /// One `name`, `name=value`, `name="value"` or `name='value'`. A leading
    /// `=` belongs to the name, as in the standard. nil when a quoted value
    /// runs to the end of input.
    private func attribute(at index: inout Int) -> Attribute? {
        var name: [UInt8] = [Self.lowercased(bytes[index])]
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if Self.isWhitespace(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "=") { break }
            name.append(Self.lowercased(byte))
            index += 1
        }
        let attributeName = String(decoding: name, as: UTF8.self)
        let afterName = skipWhitespace(from: index)
        guard self.byte(at: afterName) == UInt8(ascii: "=") else { return Attribute(name: attributeName, value: index..<index) }
        index = skipWhitespace(from: afterName + 1)
        guard let first = byte(at: index) else { return Attribute(name: attributeName, value: index..<index) }
        if first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
            guard let close = bytes[(index + 1)...].firstIndex(of: first) else { return nil }
            let value = (index + 1)..<close
            index = close + 1
            return Attribute(name: attributeName, value: value)
        }
        let valueStart = index
        while index < bytes.count, !Self.isWhitespace(bytes[index]), bytes[index] != UInt8(ascii: ">") { index += 1 }
        return Attribute(name: attributeName, value: valueStart..<index)
    }

    // MARK: Comments and declarations

    /// At `<!`: a comment, CDATA section, doctype or other declaration; all skipped.
    private mutating func skipMarkupDeclaration() {
        if starts(with: "<!--", at: position) {
            // `<!-->` and `<!--->` are complete (empty) comments.
            let bodyStart = position + 4
            if byte(at: bodyStart) == UInt8(ascii: ">") { position = bodyStart + 1; return }
            if starts(with: "->", at: bodyStart) { position = bodyStart + 2; return }
            var index = bodyStart
            while index < bytes.count {
                if starts(with: "-->", at: index) { position = index + 3; return }
                if starts(with: "--!>", at: index) { position = index + 4; return }
                index += 1
            }
            position = bytes.count  // an unclosed comment hides the rest
        } else if startsCaseInsensitive(with: "<![cdata[", at: position) {
            var index = position + 9
            while index < bytes.count, !starts(with: "]]>", at: index) { index += 1 }
            position = min(index + 3, bytes.count)
        } else {
            skipBogusComment(from: position + 2)
        }
    }

    /// Skips to just past the next `>`, or to the end.
    private mutating func skipBogusComment(from start: Int) {
        let start = min(start, bytes.count)
        position = bytes[start...].firstIndex(of: UInt8(ascii: ">")).map { $0 + 1 } ?? bytes.count
    }

    // MARK: Bytes

    static let lessThan = UInt8(ascii: "<")

    private func byte(at index: Int) -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private func skipWhitespace(from start: Int) -> Int {
        var index = start
        while index < bytes.count, Self.isWhitespace(bytes[index]) { index += 1 }
        return index
    }

    private func starts(with literal: StaticString, at index: Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard index >= 0, index + count <= bytes.count else { return false }
        return literal.withUTF8Buffer { literal in (0..<count).allSatisfy { bytes[index + $0] == literal[$0] } }
    }

    private func startsCaseInsensitive(with lowercaseLiteral: StaticString, at index: Int) -> Bool {
        let count = lowercaseLiteral.utf8CodeUnitCount
        guard index >= 0, index + count <= bytes.count else { return false }
        return lowercaseLiteral.withUTF8Buffer { literal in
            (0..<count).allSatisfy { Self.lowercased(bytes[index + $0]) == literal[$0] }
        }
    }

    /// Tab, LF, FF, CR and space: HTML's whitespace.
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0C || byte == 0x0D
    }

    static func isASCIILetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20)
    }

    static func lowercased(_ byte: UInt8) -> UInt8 {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
    }
}
