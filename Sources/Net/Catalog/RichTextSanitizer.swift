/// Cleans a product's rich-text detail (HTML from the back-office editor, shown
/// by the mini-program's `rich-text` / `mp-html`) down to `RichTextPolicy`.
///
/// Nothing of the input is copied through: every kept tag, attribute and text
/// run is written anew from its parsed value, escaped (`& < > "`, and U+00A0 as
/// `&nbsp;`), so the output is well formed whatever the input was, and a
/// browser reads back exactly the values the policy checked.
///
/// - Allowed tags keep allowed attributes; tags missing an end tag are closed
///   at the end (or when a parent closes); stray end tags are dropped.
/// - Unknown tags (`font`, `video`, `plaintext`) are dropped and their text kept.
/// - `script`, `style`, `iframe`, `object`, `form`, `svg`, ... go with their
///   content (`RichTextPolicy.droppedWithContent`).
/// - Comments, doctypes, CDATA, processing instructions are dropped.
/// - At `depthMax` open elements deeper tags are dropped and their text kept.
public struct RichTextSanitizer: Sendable {
    /// A product detail is text and image links; 200 KiB is ample (images are URLs).
    public static let inputBytesMax = 200 * 1024
    public static let depthMax = 64

    /// The sanitised HTML.
    /// - Throws: `RichTextError.tooLarge` past `inputBytesMax`.
    /// - Complexity: O(n) in the input.
    public static func sanitize(_ html: String) throws(RichTextError) -> String {
        let bytes = try checkedBytes(html)
        var sanitizer = RichTextSanitizer(outputCapacity: bytes.count)
        var tokenizer = HTMLTokenizer(bytes)
        while let token = tokenizer.next() { sanitizer.consume(token, from: bytes) }
        sanitizer.closeAll()
        return String(decoding: sanitizer.output, as: UTF8.self)
    }

    /// The detail's visible text, for search keywords: what `sanitize` keeps,
    /// without tags, references decoded, blocks and `br` as word breaks, runs of
    /// white space as one space.
    /// - Throws: `RichTextError.tooLarge` past `inputBytesMax`.
    public static func plainText(_ html: String) throws(RichTextError) -> String {
        let bytes = try checkedBytes(html)
        var tokenizer = HTMLTokenizer(bytes)
        var dropped = DroppedSubtree()
        var text = ""
        while let token = tokenizer.next() {
            guard !dropped.swallows(token) else { continue }
            switch token {
            case .text(let range):
                text += HTMLCharacterReference.decode(bytes[range], isAttributeValue: false)
            case .startTag(let tag) where RichTextPolicy.blockElements.contains(tag.name):
                text += " "
            case .endTag(let name) where RichTextPolicy.blockElements.contains(name):
                text += " "
            case .startTag, .endTag, .rawText:
                continue
            }
        }
        return text.unicodeScalars.split(whereSeparator: isPlainTextSpace).map { String($0) }.joined(separator: " ")
    }

    private static func checkedBytes(_ html: String) throws(RichTextError) -> [UInt8] {
        let sizeBytes = html.utf8.count
        guard sizeBytes <= inputBytesMax else { throw .tooLarge(sizeBytes: sizeBytes, maxBytes: inputBytesMax) }
        return Array(html.utf8)
    }

    private static func isPlainTextSpace(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x20, 0x7F...0xA0, 0x3000, 0x2000...0x200B, 0xFEFF: true
        default: false
        }
    }

    // MARK: Tree

    private var output: [UInt8] = []
    /// The allowed elements written and not yet closed, outermost first.
    private var open: [String] = []
    private var dropped = DroppedSubtree()

    private init(outputCapacity: Int) {
        output.reserveCapacity(outputCapacity + outputCapacity / 8)
    }

    private mutating func consume(_ token: HTMLTokenizer.Token, from bytes: [UInt8]) {
        guard !dropped.swallows(token) else { return }
        switch token {
        case .text(let range):
            appendEscaped(HTMLCharacterReference.decode(bytes[range], isAttributeValue: false))
        case .startTag(let tag):
            guard RichTextPolicy.allowedElements.contains(tag.name) else { return }
            start(tag, from: bytes)
        case .endTag(let name):
            guard !RichTextPolicy.voidElements.contains(name), let index = open.lastIndex(of: name) else { return }
            close(downTo: index)
        case .rawText:
            return  // `dropped` swallows it; only dropped elements have raw text
        }
    }

    private mutating func start(_ tag: HTMLTokenizer.StartTag, from bytes: [UInt8]) {
        closeImpliedElements(before: tag.name)
        guard open.count < Self.depthMax else { return }
        let attributes = Self.sanitizedAttributes(of: tag, from: bytes)
        // An image with nothing to show is no image.
        if tag.name == "img", !attributes.contains(where: { $0.name == "src" }) { return }
        output.append(UInt8(ascii: "<"))
        output.append(contentsOf: tag.name.utf8)
        for attribute in attributes {
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: attribute.name.utf8)
            output.append(contentsOf: "=\"".utf8)
            appendEscaped(attribute.value)
            output.append(UInt8(ascii: "\""))
        }
        output.append(UInt8(ascii: ">"))
        if !RichTextPolicy.voidElements.contains(tag.name) { open.append(tag.name) }
    }

    /// The allowed attributes in their first spelling (a repeated name is
    /// ignored, as browsers do), values decoded and checked.
    private static func sanitizedAttributes(
        of tag: HTMLTokenizer.StartTag, from bytes: [UInt8]
    ) -> [(name: String, value: String)] {
        var seen: Set<String> = []
        var kept: [(name: String, value: String)] = []
        for attribute in tag.attributes where seen.insert(attribute.name).inserted {
            let value = HTMLCharacterReference.decode(bytes[attribute.value], isAttributeValue: true)
            if let clean = RichTextPolicy.sanitizedAttribute(attribute.name, of: tag.name, value: value) {
                kept.append((attribute.name, clean))
            }
        }
        return kept
    }

    /// The end tags HTML leaves implicit, so `<li>a<li>b` gives siblings and a
    /// block start closes an open `p` instead of nesting inside it.
    private mutating func closeImpliedElements(before name: String) {
        switch name {
        case "li":
            closeOpen(["li"], stoppingAt: ["ul", "ol", "table"])
        case "td", "th":
            closeOpen(["td", "th"], stoppingAt: ["tr", "table"])
        case "tr":
            closeOpen(["tr"], stoppingAt: ["table", "thead", "tbody"])
        case "thead", "tbody":
            closeOpen(["thead", "tbody"], stoppingAt: ["table"])
        default:
            break
        }
        if RichTextPolicy.blockElements.contains(name), name != "br" {
            closeOpen(["p"], stoppingAt: RichTextPolicy.blockElements.subtracting(["p"]))
        }
    }

    /// Closes the nearest open element named in `names`, and everything inside
    /// it, unless an element in `boundaries` comes first.
    private mutating func closeOpen(_ names: Set<String>, stoppingAt boundaries: Set<String>) {
        for index in open.indices.reversed() {
            if names.contains(open[index]) { close(downTo: index); return }
            if boundaries.contains(open[index]) { return }
        }
    }

    private mutating func close(downTo index: Int) {
        while open.count > index, let name = open.popLast() {
            output.append(contentsOf: "</".utf8)
            output.append(contentsOf: name.utf8)
            output.append(UInt8(ascii: ">"))
        }
    }

    private mutating func closeAll() { close(downTo: 0) }

    /// Escapes markup characters, writes U+00A0 as `&nbsp;` (editors' spacing,
    /// visible in the source) and drops control characters and noncharacters.
    private mutating func appendEscaped(_ text: String) {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x26: output.append(contentsOf: "&amp;".utf8)
            case 0x3C: output.append(contentsOf: "&lt;".utf8)
            case 0x3E: output.append(contentsOf: "&gt;".utf8)
            case 0x22: output.append(contentsOf: "&quot;".utf8)
            case 0xA0: output.append(contentsOf: "&nbsp;".utf8)
            case 0x09, 0x0A, 0x0D: output.append(UInt8(scalar.value))
            case 0x00...0x1F, 0x7F...0x9F, 0xFDD0...0xFDEF, 0xFFFE, 0xFFFF: continue
            default: output.append(contentsOf: String(scalar).utf8)
            }
        }
    }
}

public enum RichTextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The detail is over `maxBytes` of UTF-8.
    case tooLarge(sizeBytes: Int, maxBytes: Int)

    public var description: String {
        switch self {
        case .tooLarge(let sizeBytes, let maxBytes): "rich text is \(sizeBytes) bytes, at most \(maxBytes)"
        }
    }
}

/// Follows an element dropped with its content (`<svg>…</svg>`) across the
/// tokens inside it, counting nested elements of the same name so an inner
/// end tag does not end it early. Unclosed, it runs to the end of input.
struct DroppedSubtree {
    private var name: String?
    private var depth = 0

    /// Whether `token` is dropped as (part of) such an element.
    mutating func swallows(_ token: HTMLTokenizer.Token) -> Bool {
        if let name {
            switch token {
            case .startTag(let tag) where tag.name == name && RichTextPolicy.opensDroppedSubtree(tag):
                depth += 1
            case .endTag(let endName) where endName == name:
                depth -= 1
                if depth == 0 { self.name = nil }
            case .text, .startTag, .endTag, .rawText:
                break
            }
            return true
        }
        switch token {
        case .rawText:
            return true
        case .startTag(let tag) where RichTextPolicy.droppedWithContent.contains(tag.name):
            if RichTextPolicy.opensDroppedSubtree(tag) { (name, depth) = (tag.name, 1) }
            return true
        case .text, .startTag, .endTag:
            return false
        }
    }
}
