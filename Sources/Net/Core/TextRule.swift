/// The rule of one string input, stated once: validation checks it with
/// `accepts(_:)` and the OpenAPI document states it with `schema(_:)`, so the
/// two cannot drift apart (a request the schema allows passes validation).
///
/// Lengths count Unicode scalars, as JSON Schema's `minLength`/`maxLength`
/// do. Every pattern is anchored, uses only explicit character classes (no
/// `\s`, `\w` or `.`), and reads the same in ECMA-262, Python, ICU and Rust.
struct TextRule: Sendable, Equatable {
    enum Alphabet: Sendable, Equatable {
        /// Any character but NUL (PostgreSQL text cannot hold it), with at
        /// least one that is not blank (space, tab, CR, LF, U+3000).
        case text
        /// Any character but NUL, blank allowed: passwords.
        case anyButNUL
        /// `!` through `~`: codes, keys and header values.
        case visibleASCII
        /// `0` through `9`.
        case digits
        /// URL-safe base64: `A-Z a-z 0-9 - _`.
        case base64URL
        /// A JWT: URL-safe base64 segments joined by dots.
        case jwt
    }

    var alphabet: Alphabet
    var lengths: ClosedRange<Int>

    init(_ alphabet: Alphabet, _ lengths: ClosedRange<Int>) {
        // Text must hold a visible character, so its minimum is at least 1.
        let lowest = max(lengths.lowerBound, alphabet == .text ? 1 : 0)
        (self.alphabet, self.lengths) = (alphabet, lowest...max(lowest, lengths.upperBound))
    }

    /// Whether `value` keeps the rule. Stops counting past the maximum, so a
    /// megabyte string costs no more than a short one.
    ///
    /// - Complexity: O(min(n, lengths.upperBound)).
    func accepts(_ value: String) -> Bool {
        var count = 0
        var hasNonBlank = false
        for scalar in value.unicodeScalars {
            count += 1
            guard count <= lengths.upperBound, Self.admits(scalar, alphabet) else { return false }
            if !Self.isBlank(scalar) { hasNonBlank = true }
        }
        guard count >= lengths.lowerBound else { return false }
        return alphabet != .text || hasNonBlank
    }

    /// The rule in words, for the 400's `fieldErrors[].rule`.
    var rule: String {
        let size = lengths.lowerBound == lengths.upperBound
            ? "exactly \(lengths.lowerBound)" : "\(lengths.lowerBound) to \(lengths.upperBound)"
        switch alphabet {
        case .text: return "must be \(size) characters, not blank, without NUL"
        case .anyButNUL: return "must be \(size) characters without NUL"
        case .visibleASCII: return "must be \(size) visible ASCII characters (! to ~)"
        case .digits: return "must be \(size) digits"
        case .base64URL: return "must be \(size) characters of A-Z a-z 0-9 - _"
        case .jwt: return "must be \(size) characters of A-Z a-z 0-9 - _ ."
        }
    }

    /// The ECMA-262 pattern JSON Schema validators and generators read.
    var pattern: String {
        let count = "{\(lengths.lowerBound),\(lengths.upperBound)}"
        switch alphabet {
        // Lengths are stated by minLength/maxLength; the pattern says "one non-blank, no NUL".
        case .text: return #"^[^\x00]*[^\x00\t\n\r \u3000][^\x00]*$"#
        case .anyButNUL: return #"^[^\x00]*$"#
        case .visibleASCII: return "^[!-~]\(count)$"
        case .digits: return "^[0-9]\(count)$"
        case .base64URL: return "^[A-Za-z0-9_-]\(count)$"
        case .jwt: return "^[A-Za-z0-9_.-]\(count)$"
        }
    }

    /// `type: string` with the lengths and the pattern.
    func schema(_ description: String, example: String? = nil) -> OpenAPIValue {
        var members: [OpenAPIValue.Member] = [
            .init(key: "type", value: "string"),
            .init(key: "minLength", value: .integer(lengths.lowerBound)),
            .init(key: "maxLength", value: .integer(lengths.upperBound)),
            .init(key: "pattern", value: .string(pattern)),
            .init(key: "description", value: .string(description)),
        ]
        if let example { members.append(.init(key: "example", value: .string(example))) }
        return .object(members)
    }

    private static func admits(_ scalar: Unicode.Scalar, _ alphabet: Alphabet) -> Bool {
        let value = scalar.value
        switch alphabet {
        case .text, .anyButNUL: return value != 0
        case .visibleASCII: return (0x21...0x7E).contains(value)
        case .digits: return (0x30...0x39).contains(value)
        case .base64URL: return isBase64URL(value)
        case .jwt: return isBase64URL(value) || value == 0x2E
        }
    }

    private static func isBase64URL(_ value: UInt32) -> Bool {
        (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value) || (0x30...0x39).contains(value)
            || value == 0x2D || value == 0x5F
    }

    /// Blank for `.text`: what the pattern's `[^\x00\t\n\r \u3000]` leaves out, NUL aside.
    private static func isBlank(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D, 0x20, 0x3000: true
        default: false
        }
    }
}

/// The rule of one integer input, in JSON or in a query string.
struct IntegerRule: Sendable, Equatable {
    var range: ClosedRange<Int64>
    /// Money: the document says fen.
    var isFen: Bool

    init(_ range: ClosedRange<Int64>, isFen: Bool = false) {
        (self.range, self.isFen) = (range, isFen)
    }

    init(_ range: ClosedRange<Int>) {
        self.init(Int64(range.lowerBound)...Int64(range.upperBound))
    }

    func accepts(_ value: Int64) -> Bool { range.contains(value) }

    var rule: String {
        isFen ? "must be an integer number of fen from \(range.lowerBound) to \(range.upperBound)"
            : "must be an integer from \(range.lowerBound) to \(range.upperBound)"
    }

    /// A query-string value: ASCII digits only (no sign, space or other numeral), in range.
    func parse(_ text: String) -> Int64? {
        let digitsMax = String(range.upperBound).utf8.count
        guard range.lowerBound >= 0, !text.isEmpty, text.utf8.count <= digitsMax,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
              let value = Int64(text), range.contains(value) else { return nil }
        return value
    }

    func schema(_ description: String, default defaultValue: Int64? = nil) -> OpenAPIValue {
        var members: [OpenAPIValue.Member] = [
            .init(key: "type", value: "integer"),
            .init(key: "format", value: "int64"),
            .init(key: "minimum", value: .integer(Int(range.lowerBound))),
            .init(key: "maximum", value: .integer(Int(range.upperBound))),
        ]
        if let defaultValue { members.append(.init(key: "default", value: .integer(Int(defaultValue)))) }
        if isFen {
            members.append(.init(key: "x-unit", value: "fen"))
            members.append(.init(key: "description", value: .string(
                description + " Integer number of fen (1 yuan = 100 fen), never a decimal.")))
        } else {
            members.append(.init(key: "description", value: .string(description)))
        }
        return .object(members)
    }
}
