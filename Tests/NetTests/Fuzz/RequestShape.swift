import Foundation
import MallTestSupport
@testable import Net

/// A request body's shape, leaf by leaf, built from the same rules the DTOs
/// validate with: each leaf can make a value that keeps its rule and values
/// that break it in every way a client (or an attacker) might.
indirect enum RequestShape: Sendable {
    case object([Field])
    case array(RequestShape, counts: ClosedRange<Int>)
    case text(TextRule)
    case integer(IntegerRule, isOptional: Bool)
    case id
    case time
    case map(keys: TextRule, values: TextRule, entriesMax: Int)
    case bool
    /// A string that must be one of `values`, exactly.
    case oneOf([String])

    struct Field: Sendable {
        var name: String
        var shape: RequestShape
        var isRequired: Bool

        init(_ name: String, _ shape: RequestShape, required: Bool = true) {
            (self.name, self.shape, self.isRequired) = (name, shape, required)
        }
    }

    /// A value that keeps every rule of the shape.
    func valid(_ random: inout SeededGenerator) -> FuzzJSON {
        switch self {
        case .object(let fields):
            return .object(fields.compactMap { field in
                guard field.isRequired || random.chance(0.7) else { return nil }
                return FuzzMember(field.name, field.shape.valid(&random))
            })
        case .array(let element, let counts):
            let count = Self.count(in: counts, &random)
            return .array((0..<count).map { _ in element.valid(&random) })
        case .text(let rule): return .string(Self.validText(rule, &random))
        case .integer(let rule, _): return .integer(Self.validInteger(rule.range, &random))
        case .id: return .string(Self.validText(EntityID.rule, &random))
        case .time: return .string(Self.validTime(&random))
        case .map(let keys, let values, let entriesMax):
            var members: [FuzzMember] = []
            var used = Set<String>()
            for _ in 0..<Int.random(in: 0...entriesMax, using: &random) {
                let key = Self.validText(keys, &random)
                guard used.insert(key).inserted else { continue }
                members.append(FuzzMember(key, .string(Self.validText(values, &random))))
            }
            return .object(members)
        case .bool: return .bool(random.chance(0.5))
        case .oneOf(let values): return .string(random.pick(values))
        }
    }

    /// A value where each part breaks its rule with probability `rate`:
    /// wrong types, nulls, missing and unknown fields, bounds ± 1, overflow,
    /// long strings, NUL and other odd Unicode.
    func fuzzed(_ random: inout SeededGenerator, rate: Double) -> FuzzJSON {
        if random.chance(rate / 3) { return FuzzValues.anyJSON(&random) }
        switch self {
        case .object(let fields):
            var members: [FuzzMember] = []
            for field in fields {
                if random.chance(rate / 2) { continue }  // missing
                if random.chance(rate / 4) { members.append(FuzzMember(field.name, .null)); continue }
                members.append(FuzzMember(field.name, field.shape.fuzzed(&random, rate: rate)))
                if random.chance(rate / 8) { members.append(FuzzMember(field.name, field.shape.valid(&random))) }  // repeated key
            }
            if random.chance(rate / 3) { members.append(FuzzMember(FuzzValues.string(&random, lengthMax: 12), FuzzValues.anyJSON(&random))) }
            if random.chance(0.2) { members.shuffle(using: &random) }
            return .object(members)
        case .array(let element, let counts):
            let count = random.chance(rate) ? random.pick([0, counts.upperBound, counts.upperBound + 1, counts.upperBound * 3])
                : Self.count(in: counts, &random)
            return .array((0..<count).map { _ in random.chance(rate) ? element.fuzzed(&random, rate: rate) : element.valid(&random) })
        case .text(let rule): return .string(random.chance(rate) ? Self.invalidText(rule, &random) : Self.validText(rule, &random))
        case .integer(let rule, _):
            guard random.chance(rate) else { return .integer(Self.validInteger(rule.range, &random)) }
            if random.chance(0.3) { return .number(random.pick(FuzzValues.numberLiterals)) }
            if random.chance(0.2) { return .string(String(Self.validInteger(rule.range, &random))) }
            return .integer(random.pick(FuzzValues.integers + [rule.range.lowerBound - 1, rule.range.upperBound &+ 1]))
        case .id:
            guard random.chance(rate) else { return .string(Self.validText(EntityID.rule, &random)) }
            return random.pick([.integer(random.pick(FuzzValues.integers)), .string("18446744073709551616"),
                                .string("99999999999999999999"), .string("-1"), .string("+1"), .string(" 1"), .string(""),
                                .string(FuzzValues.string(&random)), .number(random.pick(FuzzValues.numberLiterals))])
        case .time:
            guard random.chance(rate) else { return .string(Self.validTime(&random)) }
            return .string(random.pick(["2026-02-30T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z",
                                        "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00", "2026-01-01", "99999-01-01T00:00:00Z",
                                        "-0001-01-01T00:00:00Z", "2026-01-01T00:00:00.1234567890Z", "2026-01-01t00:00:00z",
                                        "2026-01-01T00:00:00+0800", FuzzValues.string(&random)]))
        case .map(let keys, let values, let entriesMax):
            guard random.chance(rate) else { return valid(&random) }
            let count = random.pick([entriesMax, entriesMax + 1, 100])
            return .object((0..<count).map { index in
                FuzzMember(random.chance(0.5) ? Self.invalidText(keys, &random) : "k\(index)",
                           random.chance(0.5) ? .string(Self.invalidText(values, &random)) : FuzzValues.anyJSON(&random))
            })
        case .bool:
            guard random.chance(rate) else { return .bool(random.chance(0.5)) }
            return random.pick([.string("true"), .string("false"), .string(""), .integer(0), .integer(1), .number("1.0"),
                                .array([.bool(true)]), .object([]), .string(FuzzValues.string(&random))])
        case .oneOf(let values):
            guard random.chance(rate) else { return .string(random.pick(values)) }
            let value = random.pick(values)
            return random.pick([.string(value.uppercased()), .string(" " + value), .string(value + "\u{0}"), .string(""),
                                .string(String(value.dropLast())), .string(value + value), .string(FuzzValues.string(&random)),
                                .integer(random.pick(FuzzValues.integers)), .bool(true), .array([.string(value)])])
        }
    }

    static func count(in range: ClosedRange<Int>, _ random: inout SeededGenerator) -> Int {
        random.chance(0.2) ? random.pick([range.lowerBound, range.upperBound]) : Int.random(in: range.lowerBound...min(range.upperBound, range.lowerBound + 3), using: &random)
    }

    static func validInteger(_ range: ClosedRange<Int64>, _ random: inout SeededGenerator) -> Int64 {
        random.chance(0.3) ? random.pick([range.lowerBound, range.upperBound]) : Int64.random(in: range, using: &random)
    }

    static func alphabet(_ alphabet: TextRule.Alphabet) -> [Unicode.Scalar] {
        let scalars = { (text: String) in Array(text.unicodeScalars) }
        switch alphabet {
        case .text, .anyButNUL: return scalars("ab Z09 纯棉T恤\t\n\r\u{3000}\u{1}\u{7F}\u{A0}👍é\u{301}\u{200B}\"\\/")
        case .visibleASCII: return (0x21...0x7E).compactMap(Unicode.Scalar.init)
        case .digits: return scalars("0123456789")
        case .base64URL: return scalars("ABCXYZabcxyz0189-_")
        case .jwt: return scalars("ABCXYZabcxyz0189-_.")
        }
    }

    static func validText(_ rule: TextRule, _ random: inout SeededGenerator) -> String {
        let count = random.chance(0.3) ? random.pick([rule.lengths.lowerBound, rule.lengths.upperBound])
            : Int.random(in: rule.lengths.lowerBound...min(rule.lengths.upperBound, rule.lengths.lowerBound + 12), using: &random)
        var text = FuzzValues.string(count: count, from: alphabet(rule.alphabet), &random)
        if rule.alphabet == .text, !rule.accepts(text), count > 0 {
            // All blank: make one scalar visible, keeping the length.
            var scalars = Array(text.unicodeScalars)
            scalars[Int.random(in: 0..<scalars.count, using: &random)] = "x"
            text = String(String.UnicodeScalarView(scalars))
        }
        return text
    }

    static func invalidText(_ rule: TextRule, _ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<6, using: &random) {
        case 0 where rule.lengths.lowerBound > 0: return ""
        case 1: return FuzzValues.string(count: rule.lengths.upperBound + 1, from: alphabet(rule.alphabet), &random)
        case 2: return validText(rule, &random) + "\u{0}"
        case 3: return String(repeating: " ", count: Int.random(in: 1...5, using: &random))
        case 4: return String(repeating: "长", count: rule.lengths.upperBound * 4 + 1)
        default: return FuzzValues.string(&random)
        }
    }

    static func validTime(_ random: inout SeededGenerator) -> String {
        let year = random.chance(0.8) ? Int.random(in: 2000...2100, using: &random) : Int.random(in: 0...9999, using: &random)
        let month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...APITime.daysIn(month: month, year: year), using: &random)
        var text = String(format: "%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, Int.random(in: 0...23, using: &random),
                          Int.random(in: 0...59, using: &random), Int.random(in: 0...59, using: &random))
        if random.chance(0.4) {
            text += "." + String((0..<Int.random(in: 1...9, using: &random)).map { _ in random.pick(Array("0123456789")) })
        }
        if random.chance(0.5) { return text + "Z" }
        let sign = random.chance(0.5) ? "+" : "-"
        return text + sign + String(format: "%02d:%02d", Int.random(in: 0...23, using: &random), Int.random(in: 0...59, using: &random))
    }
}
