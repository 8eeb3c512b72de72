import Foundation
import MallTestSupport

/// The shared SplitMix64 (MallTestSupport), with the two draws the request fuzzers use.
/// A failing case is reproduced by its seed (`MALL_FUZZ_SEED=<seed> swift test ...`).
extension SeededGenerator {
    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func pick<T>(_ values: [T]) -> T { values[Int.random(in: 0..<values.count, using: &self)] }
}

enum FuzzSeed {
    /// `MALL_FUZZ_SEED` when set, else a fixed seed per fuzz test (FNV-1a of its name), so every
    /// run, CI included, tries the same cases. Printed before any case runs, so even a trap
    /// (which ends the process) leaves the seed in the log.
    static func make(_ name: String) -> UInt64 {
        let fixed = name.utf8.reduce(0xCBF2_9CE4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
        let seed = ProcessInfo.processInfo.environment["MALL_FUZZ_SEED"].flatMap(UInt64.init) ?? fixed
        print("fuzz \(name): seed \(seed) (rerun with MALL_FUZZ_SEED=\(seed))")
        return seed
    }

    /// Cases per fuzz test; `MALL_FUZZ_CASES` raises it for a longer hunt.
    static func cases(_ defaultCount: Int) -> Int {
        ProcessInfo.processInfo.environment["MALL_FUZZ_CASES"].flatMap(Int.init) ?? defaultCount
    }
}

/// A JSON value that keeps its object keys in order (and may repeat them).
indirect enum FuzzJSON {
    case null
    case bool(Bool)
    case integer(Int64)
    /// A number as literal text: huge, fractional, exponent.
    case number(String)
    case string(String)
    case array([FuzzJSON])
    case object([FuzzMember])

    var text: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "true" : "false"
        case .integer(let value): String(value)
        case .number(let literal): literal
        case .string(let value): Self.quoted(value)
        case .array(let values): "[" + values.map(\.text).joined(separator: ",") + "]"
        case .object(let members): "{" + members.map { Self.quoted($0.key) + ":" + $0.value.text }.joined(separator: ",") + "}"
        }
    }

    static func quoted(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

/// One member of a JSON object.
struct FuzzMember {
    var key: String
    var value: FuzzJSON

    init(_ key: String, _ value: FuzzJSON) { (self.key, self.value) = (key, value) }
}

/// Strings and numbers that break parsers: bounds, overflow, odd Unicode.
enum FuzzValues {
    static let integers: [Int64] = [
        0, 1, -1, 2, 99, 100, 101, 9_999, 10_000, 10_001, 99_999_999, 100_000_000, 100_000_001,
        9_999_999_999, 10_000_000_000, 10_000_000_001, Int64(Int32.max), Int64(Int32.max) + 1, Int64(Int32.min),
        Int64.max, Int64.max - 1, Int64.min, Int64.min + 1, 1 << 53, (1 << 53) + 1,
    ]

    static let numberLiterals = [
        "1e300", "-1e300", "1e-300", "1.5", "-0", "0.0", "1.0", "18446744073709551615", "18446744073709551616",
        "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1E2", "1e400", "-1e400",
        "100.0000000000000001",
    ]

    static let pieces = [
        "a", "Z", "0", "9", " ", "\t", "\n", "\r", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "\u{85}", "\u{A0}", "\u{3000}",
        "纯", "棉", "T恤", "👍", "👨‍👩‍👧", "e\u{301}", "\u{200B}", "\u{FEFF}", "\u{FFFD}", "\u{10FFFF}", "\"", "\\", "/", ":",
        ",", "-", "_", ".", "=", "+", "%", "%00", "'", "<script>", "${x}", "{{x}}", "\u{202E}", "Ω", "ß", "İ",
    ]

    static func string(_ random: inout SeededGenerator, lengthMax: Int = 40) -> String {
        let length = random.chance(0.1) ? Int.random(in: 0...5_000, using: &random) : Int.random(in: 0...lengthMax, using: &random)
        var text = ""
        for _ in 0..<length { text += random.pick(pieces) }
        return text
    }

    /// A string of exactly `count` Unicode scalars from `alphabet`.
    static func string(count: Int, from alphabet: [Unicode.Scalar], _ random: inout SeededGenerator) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<count { scalars.append(random.pick(alphabet)) }
        return String(scalars)
    }

    static func anyJSON(_ random: inout SeededGenerator, depth: Int = 0) -> FuzzJSON {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &random) {
        case 0: return .null
        case 1: return .bool(random.chance(0.5))
        case 2: return .integer(random.pick(integers))
        case 3: return .number(random.pick(numberLiterals))
        case 4: return .string(string(&random))
        case 5: return .array((0..<Int.random(in: 0...4, using: &random)).map { _ in anyJSON(&random, depth: depth + 1) })
        default:
            return .object((0..<Int.random(in: 0...4, using: &random)).map { _ in
                FuzzMember(string(&random, lengthMax: 8), anyJSON(&random, depth: depth + 1))
            })
        }
    }

    /// Arrays or objects nested `depth` deep: recursive decoders must refuse, not overflow the stack.
    static func deepNesting(_ depth: Int, object: Bool) -> String {
        object ? String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth)
            : String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
    }

    /// Byte-level damage to valid JSON text: flips, cuts, inserts, random bytes.
    static func mutateBytes(_ text: String, _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = Array(text.utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) {
            switch Int.random(in: 0..<5, using: &random) {
            case 0 where !bytes.isEmpty: bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            case 1 where !bytes.isEmpty: bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &random)...)
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &random), at: Int.random(in: 0...bytes.count, using: &random))
            case 3 where !bytes.isEmpty: bytes.remove(at: Int.random(in: 0..<bytes.count, using: &random))
            default: bytes = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            }
        }
        return bytes
    }
}
