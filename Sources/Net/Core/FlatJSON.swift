/// The plainest spelling of a flat JSON object, read without Foundation: the
/// flash-sale purchase body (`{"skuId":"…","quantity":1}`) went through
/// `JSONDecoder` at 9 % of the server's CPU per purchase (perf, see
/// docs/benchmarks.md), most of it set-up for an object of two fields.
///
/// `FlatJSONObject` accepts only objects whose values are ASCII strings without
/// escapes or integers without a fraction, exponent or leading zero, each key
/// once. Anything else, valid JSON or not, is `nil`, and the caller hands the
/// body to `JSONDecoder`, which decides it and names the field in its error. So
/// the fast path never refuses a body and never accepts one `JSONDecoder` would
/// not: `FlatJSONTests` checks that it decodes what `JSONDecoder` decodes.
struct FlatJSONObject {
    enum Value: Equatable {
        case string(String)
        case integer(Int64)
    }

    /// Beyond this many fields the body is not a hot-path body: `JSONDecoder` reads it.
    static let fieldsMax = 8
    /// 18 digits always fit an `Int64`; longer numbers go to `JSONDecoder`, which bounds them.
    static let integerDigitsMax = 18

    private(set) var fields: [(key: String, value: Value)] = []

    init?(_ bytes: UnsafeRawBufferPointer) {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        reader.skipWhitespace()
        if reader.take(UInt8(ascii: "}")) {
            reader.skipWhitespace()
            guard reader.atEnd else { return nil }
            return
        }
        fields.reserveCapacity(Self.fieldsMax)   // one allocation, not one per growth
        while true {
            guard fields.count < Self.fieldsMax, let key = reader.string() else { return nil }
            guard !fields.contains(where: { $0.key == key }) else { return nil }
            reader.skipWhitespace()
            guard reader.take(UInt8(ascii: ":")) else { return nil }
            reader.skipWhitespace()
            guard let value = reader.value() else { return nil }
            fields.append((key, value))
            reader.skipWhitespace()
            if reader.take(UInt8(ascii: ",")) {
                reader.skipWhitespace()
                continue
            }
            guard reader.take(UInt8(ascii: "}")) else { return nil }
            reader.skipWhitespace()
            guard reader.atEnd else { return nil }
            return
        }
    }

    /// True when every key is one of `allowed`: an unknown key is left to `JSONDecoder`'s strict container to name.
    func hasOnlyKeys(_ allowed: Set<String>) -> Bool {
        fields.allSatisfy { allowed.contains($0.key) }
    }

    subscript(key: String) -> Value? {
        fields.first { $0.key == key }?.value
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var atEnd: Bool { index == bytes.count }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func value() -> Value? {
            guard index < bytes.count else { return nil }
            if bytes[index] == UInt8(ascii: "\"") { return string().map(Value.string) }
            return integer().map(Value.integer)
        }

        /// A string of printable ASCII without escapes; nil for anything else.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                guard (0x20...0x7E).contains(byte), byte != UInt8(ascii: "\\") else { return nil }
                index += 1
            }
            return nil
        }

        /// `-?(0|[1-9][0-9]*)` of at most `integerDigitsMax` digits, not followed by a fraction or exponent.
        mutating func integer() -> Int64? {
            let negative = take(UInt8(ascii: "-"))
            let start = index
            var magnitude: Int64 = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                guard index - start < FlatJSONObject.integerDigitsMax else { return nil }
                magnitude = magnitude * 10 + Int64(bytes[index] - UInt8(ascii: "0"))
                index += 1
            }
            let digits = index - start
            guard digits > 0, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
            if index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): return nil
                default: break
                }
            }
            return negative ? -magnitude : magnitude
        }
    }
}

/// A request body type with a fast path for its plainest spelling (`FlatJSONObject`).
protocol FlatJSONDecodable: Decodable {
    /// The value, when `object` holds exactly what this type reads; nil leaves the body to `JSONDecoder`.
    init?(flat object: FlatJSONObject)
}
