import Engine
import Foundation

/// Collects field-level rule violations so one 400 names every bad field.
struct Validation {
    private(set) var errors: [APIError.FieldError] = []

    mutating func require(_ condition: Bool, _ field: String, _ rule: String) {
        if !condition { errors.append(.init(field: field, rule: rule)) }
    }

    mutating func text(_ value: String, _ field: String, maxCharacters: Int) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        require(!trimmed.isEmpty && value.count <= maxCharacters, field, "must be 1 to \(maxCharacters) characters")
    }

    func check() throws(APIError) {
        guard !errors.isEmpty else { return }
        let summary = errors.map { "\($0.field): \($0.rule)" }.joined(separator: "; ")
        throw APIError(.invalidInput, summary, fieldErrors: errors)
    }
}

/// An id as JSON carries it: a string (what this API sends, safe for
/// JavaScript) or, leniently, a number.
public struct EntityID: Codable, Sendable, Hashable {
    public var value: UInt64

    public init(_ value: UInt64) { self.value = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(UInt64.self) {
            value = number
        } else if let text = try? container.decode(String.self), let number = UInt64(text) {
            value = number
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "must be an id (digits)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(value))
    }

    static func parse(_ text: String?, field: String) throws(APIError) -> UInt64 {
        guard let text, let value = UInt64(text) else { throw APIError.invalid(field, "must be an id (digits)") }
        return value
    }
}

/// ISO-8601 UTC times, with or without fractional seconds.
enum APITime {
    static func format(ms: Int64) -> String { CivilTime(epochMs: ms).iso8601 }

    static func parse(_ text: String) -> Int64? {
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        let plain = Date.ISO8601FormatStyle()
        guard let date = (try? withFraction.parse(text)) ?? (try? plain.parse(text)) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
