import Foundation
import Hummingbird

/// Request bodies are decoded strictly, as the OpenAPI document states them
/// (`additionalProperties: false`, no `null` for optional fields, ids as
/// strings): a field the server would silently ignore is more likely a typo
/// (`"quantitiy": 2` buying one unit) than something to accept.
enum RequestJSON {
    static let decoder = JSONDecoder()

    /// The body as `T`. A body that is not JSON, or not `T`, is a 400 naming the field.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, context: MallRequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }

    /// As above, but a body in its plainest spelling is read without `JSONDecoder` (`FlatJSONObject`).
    static func decode<T: FlatJSONDecodable>(_ type: T.Type, from request: Request, context: MallRequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let fast = buffer.withUnsafeReadableBytes { bytes in FlatJSONObject(bytes).flatMap(T.init(flat:)) }
        if let fast { return fast }
        return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
    }
}

/// A key of any name, to see every key a JSON object holds.
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int?

    init(stringValue: String) { (self.stringValue, self.intValue) = (stringValue, nil) }
    init(intValue: Int) { (self.stringValue, self.intValue) = (String(intValue), intValue) }
}

/// `skus[0].priceFen`: a coding path as the API names fields.
enum FieldPath {
    static func string(_ path: [any CodingKey]) -> String {
        let joined = path.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        return joined.isEmpty ? "body" : String(joined.drop { $0 == "." })
    }
}

extension Decoder {
    /// The object's container, after refusing any key that is not one of `Key`'s cases.
    func strictContainer<Key: CodingKey & CaseIterable>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        let any: KeyedDecodingContainer<AnyCodingKey>
        do { any = try container(keyedBy: AnyCodingKey.self) } catch {
            throw APIError.invalid(FieldPath.string(codingPath), "must be a JSON object")
        }
        if let unknown = any.allKeys.first(where: { Key(stringValue: $0.stringValue) == nil }) {
            let allowed = Key.allCases.map(\.stringValue).joined(separator: ", ")
            throw APIError.invalid(FieldPath.string(codingPath + [unknown]), "is not a field here; the fields are \(allowed)")
        }
        return try container(keyedBy: Key.self)
    }
}

extension KeyedDecodingContainer {
    /// A required field: absent or `null` is refused.
    func required<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        guard contains(key), try !decodeNil(forKey: key) else {
            throw APIError.invalid(FieldPath.string(codingPath + [key]), "is required")
        }
        return try decodeNamingField(T.self, key)
    }

    /// An optional field: absent is nil; `null` is refused (leave the field out instead).
    func optional<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T? {
        guard contains(key) else { return nil }
        if try decodeNil(forKey: key) {
            throw APIError.invalid(FieldPath.string(codingPath + [key]), "must not be null; leave the field out instead")
        }
        return try decodeNamingField(T.self, key)
    }

    /// Foundation throws its own internal error for a number that does not fit
    /// (`1.5` or `1e300` for an `Int64`) and reports it at the top as "not valid
    /// JSON" with no coding path; the field is named here instead.
    private func decodeNamingField<T: Decodable>(_ type: T.Type, _ key: Key) throws -> T {
        do {
            return try decode(T.self, forKey: key)
        } catch let error as APIError {
            throw error
        } catch let error as DecodingError {
            guard case .dataCorrupted(let context) = error, context.codingPath.count <= codingPath.count else { throw error }
            throw APIError.invalid(FieldPath.string(codingPath + [key]), Self.rule(for: T.self))
        } catch {
            throw APIError.invalid(FieldPath.string(codingPath + [key]), Self.rule(for: T.self))
        }
    }

    private static func rule(for type: Any.Type) -> String {
        type == Int64.self ? "must be an integer without a fraction, from -2^63 to 2^63 - 1" : "is invalid"
    }
}
