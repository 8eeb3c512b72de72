import Engine
import Foundation

/// Collects field-level rule violations so one 400 names every bad field.
struct Validation {
    private(set) var errors: [APIError.FieldError] = []

    mutating func require(_ condition: Bool, _ field: String, _ rule: String) {
        if !condition { errors.append(.init(field: field, rule: rule)) }
    }

    mutating func text(_ value: String, _ field: String, _ rule: TextRule) {
        require(rule.accepts(value), field, rule.rule)
    }

    mutating func integer(_ value: Int64, _ field: String, _ rule: IntegerRule) {
        require(rule.accepts(value), field, rule.rule)
    }

    /// The time in epoch ms, or nil (and a violation) when it is not RFC 3339.
    mutating func time(_ value: String, _ field: String) -> Int64? {
        let ms = APITime.parse(value)
        require(ms != nil, field, APITime.rule)
        return ms
    }

    func check() throws(APIError) {
        guard !errors.isEmpty else { return }
        let summary = errors.map { "\($0.field): \($0.rule)" }.joined(separator: "; ")
        throw APIError(.invalidInput, summary, fieldErrors: errors)
    }
}

/// An id as JSON carries it: a decimal string, safe for JavaScript, whose
/// numbers lose precision above 2^53 (a number is refused, not rounded).
public struct EntityID: Codable, Sendable, Hashable {
    public var value: UInt64

    /// 1 to 19 digits: every id this server makes (below 2^63) and nothing that overflows `UInt64`.
    static let rule = TextRule(.digits, 1...19)

    public init(_ value: UInt64) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let text = try? container.decode(String.self), let value = Self.value(text) else {
            throw APIError.invalid(FieldPath.string(decoder.codingPath), "must be an id: a string of 1 to \(Self.rule.lengths.upperBound) digits")
        }
        self.value = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }

    static func value(_ text: String) -> UInt64? {
        rule.accepts(text) ? UInt64(text) : nil
    }

    static func parse(_ text: String?, field: String) throws(APIError) -> UInt64 {
        guard let text, let value = value(text) else {
            throw APIError.invalid(field, "must be an id: 1 to \(rule.lengths.upperBound) digits")
        }
        return value
    }

    /// The id schema of the OpenAPI document.
    static func schema(_ description: String) -> OpenAPIValue {
        rule.schema(description + " A 64-bit id as a decimal string.", example: "115000000000000001")
    }
}

/// Times: ISO-8601 UTC strings out; RFC 3339 in, parsed here rather than by
/// Foundation so that what is accepted is exactly what the OpenAPI pattern
/// says, and every value parsed is a bounded number of milliseconds.
enum APITime {
    static func format(ms: Int64) -> String { CivilTime(epochMs: ms).iso8601 }

    /// `2026-11-27T10:00:00Z`, `2026-11-27T18:00:00.123+08:00`: 1 to 9 fraction digits (below ms dropped).
    static let pattern = #"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$"#
    static let charactersMin = 20
    static let charactersMax = 35
    static let rule = "must be an RFC 3339 time such as 2026-11-27T10:00:00Z or 2026-11-27T18:00:00+08:00"

    /// Epoch ms, or nil when `text` is not the pattern or names no real time
    /// (month 13, February 30, hour 24, offset hour 24). Years are 0000 to
    /// 9999, so the result stays within ±3.2·10^14 and sums of two never overflow.
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8.prefix(charactersMax + 1))
        guard (charactersMin...charactersMax).contains(bytes.count) else { return nil }
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(4), reader.skip("-"), let month = reader.number(2), reader.skip("-"),
              let day = reader.number(2), reader.skip("T"), let hour = reader.number(2), reader.skip(":"),
              let minute = reader.number(2), reader.skip(":"), let second = reader.number(2) else { return nil }
        var millisecond = 0
        if reader.skip(".") {
            guard let (fraction, digits) = reader.fraction(), digits >= 1 else { return nil }
            millisecond = fraction
        }
        var offsetMinutes = 0
        if !reader.skip("Z") {
            let sign: Int
            if reader.skip("+") { sign = 1 } else if reader.skip("-") { sign = -1 } else { return nil }
            guard let offsetHour = reader.number(2), reader.skip(":"), let offsetMinute = reader.number(2),
                  offsetHour <= 23, offsetMinute <= 59 else { return nil }
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        }
        guard reader.isAtEnd, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day),
              hour <= 23, minute <= 59, second <= 60,
              let localMs = CivilTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                                      millisecond: millisecond).epochMs else { return nil }
        return localMs - Int64(offsetMinutes) * 60_000
    }

    /// `type: string, format: date-time` with the pattern and lengths `parse` accepts.
    static func schema(_ description: String) -> OpenAPIValue {
        ["type": "string", "format": "date-time", "minLength": .integer(charactersMin), "maxLength": .integer(charactersMax),
         "pattern": .string(pattern), "description": .string(description + " RFC 3339, e.g. 2026-11-27T10:00:00Z."),
         "example": "2026-11-27T02:00:00Z"]
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Fixed-width ASCII fields, left to right.
    private struct DigitReader {
        let bytes: [UInt8]
        var index = 0

        var isAtEnd: Bool { index == bytes.count }

        mutating func skip(_ character: Unicode.Scalar) -> Bool {
            guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
            index += 1
            return true
        }

        /// Exactly `count` digits as a number.
        mutating func number(_ count: Int) -> Int? {
            guard bytes.count - index >= count else { return nil }
            var value = 0
            for _ in 0..<count {
                guard let digit = digit() else { return nil }
                value = value * 10 + digit
            }
            return value
        }

        /// 1 to 9 digits after the point, as milliseconds (digits below the millisecond dropped).
        mutating func fraction() -> (milliseconds: Int, digits: Int)? {
            var milliseconds = 0
            var digits = 0
            while index < bytes.count, digits < 9, let digit = peekDigit() {
                index += 1
                if digits < 3 { milliseconds = milliseconds * 10 + digit }
                digits += 1
            }
            guard digits >= 1, peekDigit() == nil else { return nil }
            for _ in digits..<max(digits, 3) { milliseconds *= 10 }
            return (milliseconds, digits)
        }

        private func peekDigit() -> Int? {
            guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
            return Int(bytes[index] - UInt8(ascii: "0"))
        }

        private mutating func digit() -> Int? {
            guard let digit = peekDigit() else { return nil }
            index += 1
            return digit
        }
    }
}
