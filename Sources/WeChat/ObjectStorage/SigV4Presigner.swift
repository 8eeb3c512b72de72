import Crypto

/// A request an S3-compatible service accepts without credentials of the
/// sender's own: the URL carries an AWS Signature Version 4 over the method,
/// the path, the query and the signed headers, and the sender must send
/// exactly `headers`.
public struct PresignedRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    /// Header name (as sent) and value; every one is signed.
    public var headers: [Header]
    /// Unix seconds after which the service refuses the URL.
    public var expiresAtSeconds: Int64

    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
    }
}

/// AWS Signature Version 4 in the query string (S3's "presigned URL",
/// AWS docs "Authenticating Requests: Using Query Parameters"): the
/// canonical request with `UNSIGNED-PAYLOAD`, the credential scope
/// `<yyyyMMdd>/<region>/s3/aws4_request`, and the signing key derived from
/// the secret through that scope. The payload is not signed, so the sender
/// can stream it; what it may be is bound by the signed headers instead
/// (`content-type`, and `content-length` when given).
public struct SigV4Presigner: Sendable {
    public let location: S3Location
    public let credentials: S3Credentials

    /// S3 refuses `X-Amz-Expires` above 7 days.
    public static let expirySecondsMax: Int64 = 604_800
    /// Ten minutes: long enough for a phone on a slow network to start an upload.
    public static let expirySecondsDefault: Int64 = 600
    static let algorithm = "AWS4-HMAC-SHA256"
    static let unsignedPayload = "UNSIGNED-PAYLOAD"
    static let service = "s3"
    /// Signed headers a caller passes, besides `host`: a handful at most.
    static let headersMax = 8

    public init(location: S3Location, credentials: S3Credentials) {
        (self.location, self.credentials) = (location, credentials)
    }

    /// Presigns `method` on `key`.
    ///
    /// - Parameters:
    ///   - headers: headers the sender must send, signed with `host` (names any case; values trimmed).
    ///   - query: extra query parameters, signed too (e.g. `policy` with an empty value).
    ///   - nowSeconds: Unix seconds of the signature (`X-Amz-Date`); years 1970 to 9999.
    ///   - expirySeconds: 1 to `expirySecondsMax`.
    /// - Complexity: O(n) in the length of the key, query and headers.
    public func presign(method: String, key: String, headers: [(name: String, value: String)] = [],
                        query: [(name: String, value: String)] = [], nowSeconds: Int64,
                        expirySeconds: Int64 = expirySecondsDefault) throws(ObjectStoragePresignError) -> PresignedRequest {
        guard (1...Self.expirySecondsMax).contains(expirySeconds) else { throw .expiry(expirySeconds) }
        guard let time = AmzTime(unixSeconds: nowSeconds) else { throw .time(nowSeconds) }
        guard headers.count <= Self.headersMax else { throw .tooManyHeaders }
        let canonicalHeaders = try Self.canonicalHeaders(headers, host: location.host)
        let signedHeaders = canonicalHeaders.map(\.name).joined(separator: ";")
        let scope = "\(time.date)/\(location.region)/\(Self.service)/aws4_request"
        var parameters = query
        parameters += [
            ("X-Amz-Algorithm", Self.algorithm),
            ("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope)"),
            ("X-Amz-Date", time.dateTime),
            ("X-Amz-Expires", String(expirySeconds)),
            ("X-Amz-SignedHeaders", signedHeaders),
        ]
        let canonicalQuery = Self.canonicalQuery(parameters)
        let path = location.path(ofKey: key)
        let canonicalRequest = [
            method, path, canonicalQuery,
            canonicalHeaders.map { "\($0.name):\($0.value)\n" }.joined(), signedHeaders, Self.unsignedPayload,
        ].joined(separator: "\n")
        let stringToSign = [Self.algorithm, time.dateTime, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))]
            .joined(separator: "\n")
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: signingKey(date: time.date))))
        let url = "\(location.scheme.rawValue)://\(location.host)\(path)?\(canonicalQuery)&X-Amz-Signature=\(signature)"
        return PresignedRequest(
            method: method, url: url,
            headers: headers.map { .init(name: $0.name, value: Self.trimmed($0.value)) },
            expiresAtSeconds: nowSeconds + expirySeconds)
    }

    /// HMAC chain: "AWS4" + secret → date → region → service → "aws4_request".
    func signingKey(date: String) -> [UInt8] {
        var key = Array(("AWS4" + credentials.secretAccessKey).utf8)
        for part in [date, location.region, Self.service, "aws4_request"] {
            key = Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: SymmetricKey(data: key)))
        }
        return key
    }

    /// Lowercased names, sorted, values trimmed, with `host`; a repeated name is refused.
    static func canonicalHeaders(_ headers: [(name: String, value: String)],
                                 host: String) throws(ObjectStoragePresignError) -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = [("host", host)]
        for header in headers {
            let name = header.name.lowercased()
            guard !name.isEmpty, name.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: ":") }),
                  header.value.utf8.allSatisfy({ $0 >= 0x20 && $0 != 0x7F }),
                  !result.contains(where: { $0.name == name }) else { throw .header(header.name) }
            result.append((name, trimmed(header.value)))
        }
        return result.sorted { $0.name < $1.name }
    }

    /// Names and values percent-encoded, sorted by encoded name (then value).
    static func canonicalQuery(_ parameters: [(name: String, value: String)]) -> String {
        parameters.map { (SigV4Encoding.encode($0.name, keepingSlash: false), SigV4Encoding.encode($0.value, keepingSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// Leading and trailing spaces dropped, inner runs of spaces made one (SigV4's canonical value).
    static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    static func hex<D: Sequence>(_ bytes: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes { out.append(digits[Int(byte >> 4)]); out.append(digits[Int(byte & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Why a request could not be presigned: arguments the caller chose, never a server's answer.
public enum ObjectStoragePresignError: Error, Sendable, Equatable, CustomStringConvertible {
    case expiry(Int64)
    case time(Int64)
    case header(String)
    case tooManyHeaders

    public var description: String {
        switch self {
        case .expiry(let seconds): "expiry must be 1 to \(SigV4Presigner.expirySecondsMax) s, not \(seconds)"
        case .time(let seconds): "time \(seconds) is outside years 1970 to 9999"
        case .header(let name): "header \(name.prefix(64)) is malformed or repeated"
        case .tooManyHeaders: "at most \(SigV4Presigner.headersMax) signed headers"
        }
    }
}

/// SigV4's URI encoding: A-Z a-z 0-9 - . _ ~ as they are, every other byte of
/// the UTF-8 as %XX with uppercase hex; `/` kept in a path only.
enum SigV4Encoding {
    static func encode(_ text: String, keepingSlash: Bool) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out += [UInt8(ascii: "%"), digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }
}

/// `X-Amz-Date` (`yyyyMMdd'T'HHmmss'Z'`) and the scope's date, in UTC.
struct AmzTime: Equatable {
    let date: String
    let dateTime: String

    /// Nil outside 1970-01-01 to 9999-12-31, so every field has its fixed width.
    init?(unixSeconds: Int64) {
        guard (0...253_402_300_799).contains(unixSeconds) else { return nil }
        let days = unixSeconds / 86_400
        let secondOfDay = unixSeconds % 86_400
        let (year, month, day) = Self.civil(daysSinceEpoch: days)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        date = pad(year, 4) + pad(month, 2) + pad(day, 2)
        dateTime = date + "T" + pad(secondOfDay / 3600, 2) + pad(secondOfDay / 60 % 60, 2) + pad(secondOfDay % 60, 2) + "Z"
    }

    /// Howard Hinnant's days-to-civil for the proleptic Gregorian calendar (days ≥ 0 here).
    static func civil(daysSinceEpoch: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = daysSinceEpoch + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
