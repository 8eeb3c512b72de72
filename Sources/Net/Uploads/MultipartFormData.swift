/// A `multipart/form-data` body (RFC 7578), as `wx.uploadFile` sends it:
/// parts separated by `--<boundary>`, each with its headers. Parsed from a
/// body already collected within a size limit, with bounded parts and
/// headers; anything malformed is refused naming the rule, never guessed at.
struct MultipartFormData {
    struct Part {
        var name: String
        var fileName: String?
        var contentType: String?
        /// Where the part's content lies in the body.
        var range: Range<Int>
    }

    var parts: [Part]

    /// RFC 2046: a boundary is 1 to 70 characters.
    static let boundaryBytes = 1...70
    /// `wx.uploadFile` sends the file and its `formData` fields: a few parts at most.
    static let partsMax = 8
    /// Headers of one part, all lines together.
    static let headerBytesMax = 4_096

    /// The boundary of a `multipart/form-data` Content-Type, or a 400 naming the header's rule.
    static func boundary(contentType: String?) throws(APIError) -> [UInt8] {
        let rule = "must be multipart/form-data; boundary=... (as wx.uploadFile sends it) with a boundary of 1 to 70 characters"
        guard let contentType, contentType.utf8.count <= 256 else { throw .invalid("Content-Type", rule) }
        let parameters = contentType.split(separator: ";").map { $0.trimmingSpaces }
        guard let type = parameters.first, type.lowercased() == "multipart/form-data" else { throw .invalid("Content-Type", rule) }
        for parameter in parameters.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var value = Substring(pair[1])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
            let bytes = Array(value.utf8)
            guard boundaryBytes.contains(bytes.count), bytes.allSatisfy({ (0x20...0x7E).contains($0) && $0 != UInt8(ascii: "\"") })
            else { throw .invalid("Content-Type", rule) }
            return bytes
        }
        throw .invalid("Content-Type", rule)
    }

    /// - Complexity: O(n · m) for a body of n bytes and a boundary of m (m ≤ 74).
    init(body: [UInt8], boundary: [UInt8]) throws(APIError) {
        let dashBoundary = Array("--".utf8) + boundary
        let delimiter = Array("\r\n".utf8) + dashBoundary
        // The first boundary opens the body, or follows a preamble and a CRLF.
        var cursor: Int
        if body.starts(with: dashBoundary) {
            cursor = dashBoundary.count
        } else if let found = Self.find(delimiter, in: body, from: 0) {
            cursor = found + delimiter.count
        } else {
            throw Self.malformed("has no opening boundary")
        }
        var parts: [Part] = []
        while true {
            if Self.matches(body, at: cursor, Array("--".utf8)) { break }  // the closing boundary; an epilogue is ignored
            guard Self.matches(body, at: cursor, Array("\r\n".utf8)) else { throw Self.malformed("has a boundary not followed by CRLF") }
            guard parts.count < Self.partsMax else { throw Self.malformed("has more than \(Self.partsMax) parts") }
            let headerStart = cursor + 2
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: headerStart, limit: Self.headerBytesMax + 4) else {
                throw Self.malformed("has a part without a blank line after its headers, or headers over \(Self.headerBytesMax) bytes")
            }
            let contentStart = headerEnd + 4
            guard let contentEnd = Self.find(delimiter, in: body, from: contentStart) else {
                throw Self.malformed("ends before the closing boundary --\(String(decoding: boundary, as: UTF8.self))--")
            }
            parts.append(try Self.part(headers: body[headerStart..<headerEnd], range: contentStart..<contentEnd))
            cursor = contentEnd + delimiter.count
        }
        self.parts = parts
    }

    static func malformed(_ rule: String) -> APIError { .invalid("body", "multipart/form-data " + rule) }

    /// The part's `Content-Disposition: form-data; name="..."[; filename="..."]` and `Content-Type`.
    private static func part(headers: ArraySlice<UInt8>, range: Range<Int>) throws(APIError) -> Part {
        var name: String?
        var fileName: String?
        var contentType: String?
        for rawLine in headers.split(separator: UInt8(ascii: "\n")) {
            let line = rawLine.last == UInt8(ascii: "\r") ? rawLine.dropLast() : rawLine
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw malformed("has a header line without a colon") }
            let field = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces
            switch field {
            case "content-disposition":
                let parameters = Self.parameters(value)
                guard parameters.first?.lowercased() == "form-data" else { throw malformed("has a part that is not form-data") }
                for parameter in parameters.dropFirst() {
                    let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                    guard pair.count == 2 else { continue }
                    let unquoted = pair[1].hasPrefix("\"") && pair[1].hasSuffix("\"") && pair[1].count >= 2
                        ? String(pair[1].dropFirst().dropLast()) : pair[1]
                    switch pair[0].lowercased() {
                    case "name": name = unquoted
                    case "filename": fileName = unquoted
                    default: break
                    }
                }
            case "content-type": contentType = value
            default: break
            }
        }
        guard let name, !name.isEmpty else { throw malformed("has a part without Content-Disposition: form-data; name=\"...\"") }
        return Part(name: name, fileName: fileName, contentType: contentType, range: range)
    }

    /// `;`-separated parameters; a `;` inside quotes does not separate.
    private static func parameters(_ value: String) -> [String] {
        var result: [String] = []
        var current = ""
        var isQuoted = false
        for character in value {
            if character == "\"" { isQuoted.toggle() }
            if character == ";" && !isQuoted {
                result.append(current.trimmingSpaces)
                current = ""
            } else {
                current.append(character)
            }
        }
        result.append(current.trimmingSpaces)
        return result
    }

    static func matches(_ body: [UInt8], at index: Int, _ bytes: [UInt8]) -> Bool {
        index >= 0 && body.count - index >= bytes.count && body[index..<index + bytes.count].elementsEqual(bytes)
    }

    /// The first index of `needle` in `haystack` at or after `start`, looking at most `limit` bytes on.
    static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int, limit: Int = .max) -> Int? {
        guard let first = needle.first, start >= 0, haystack.count >= needle.count else { return nil }
        let last = min(haystack.count - needle.count, start > Int.max - limit ? Int.max : start + limit - needle.count)
        var index = start
        while index <= last {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
