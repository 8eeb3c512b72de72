import Foundation
import PostgresNIO

/// One CSV cell (RFC 4180, CRLF line ends) as spreadsheets read it.
enum CSVField: Sendable, Equatable {
    /// Text from the database or from buyers: quoted when needed, and
    /// neutralised against formula injection.
    case text(String?)
    /// A number this server computed: written as is.
    case number(Int64)

    /// UTF-8 byte order mark: without it Excel reads UTF-8 as the local code page and garbles Chinese.
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    /// Leading characters that make Excel, LibreOffice or Sheets evaluate a
    /// cell as a formula (OWASP "CSV injection"); tab and CR are on the list
    /// because some spreadsheets strip them and then see the next character.
    static let formulaTriggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    /// The cell as written: `'` before a formula trigger, then quoted if it
    /// holds a comma, quote, CR or LF (quotes doubled).
    var encoded: String {
        switch self {
        case .number(let value):
            return String(value)
        case .text(nil):
            return ""
        case .text(let text?):
            var cell = text
            // Scalars, not Characters: "\r\n" is one Character and would slip past.
            if let first = cell.unicodeScalars.first, Self.formulaTriggers.contains(first) { cell = "'" + cell }
            let needsQuotes = cell.unicodeScalars.contains { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }
            guard needsQuotes else { return cell }
            return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
    }

    static func appendRow(_ fields: [CSVField], to buffer: inout ByteBuffer) {
        for (index, field) in fields.enumerated() {
            if index > 0 { buffer.writeStaticString(",") }
            buffer.writeString(field.encoded)
        }
        buffer.writeStaticString("\r\n")
    }
}
