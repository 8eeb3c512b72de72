import Crypto
import HTTPTypes
import NIOCore

/// Settings of request signing. Off by default: `mall` turns it on by configuration.
public struct RequestSignatureConfiguration: Sendable {
    /// Shortest key taken: HMAC-SHA256 gains nothing from a key longer than its 32-byte output, and loses with a shorter one.
    public static let keyBytesMin = 32
    public static let clockSkewMsMax: Int64 = 3_600_000

    public var isEnabled: Bool
    /// The shared secret the mini-program signs with.
    public var keyBytes: [UInt8]
    /// How far a request's timestamp may be from the server's clock, either way. Clamped to 1 s...1 h.
    public var clockSkewMs: Int64
    /// Nonces remembered at most (about 50 bytes each). A nonce is kept for
    /// 2 × `clockSkewMs`, so this bounds signed requests to
    /// `nonceEntriesMax / (2 × clockSkewMs)` per millisecond sustained:
    /// 500,000 over 10 minutes is about 830 a second; beyond it requests get 503.
    public var nonceEntriesMax: Int
    public var nonceShardCount: Int

    public init(isEnabled: Bool = false, keyBytes: [UInt8] = [], clockSkewMs: Int64 = 300_000,
                nonceEntriesMax: Int = 500_000, nonceShardCount: Int = 16) {
        (self.isEnabled, self.keyBytes, self.clockSkewMs) = (isEnabled, keyBytes, clockSkewMs)
        (self.nonceEntriesMax, self.nonceShardCount) = (nonceEntriesMax, nonceShardCount)
    }
}

/// Checks signed requests.
///
/// A client signs each request with three headers:
///
/// - `X-Mall-Timestamp`: the time of sending, in milliseconds since the Unix
///   epoch, as decimal digits. It must be within ±300 s (`clockSkewMs`) of
///   the server's clock.
/// - `X-Mall-Nonce`: 16 to 64 characters of `A-Z a-z 0-9 - _`, new for every
///   request (e.g. 16 random bytes in base64url). A nonce is refused if it
///   was used in the last 2 × 300 s.
/// - `X-Mall-Signature`: 64 hex digits (either case),
///   `hex(HMAC-SHA256(key, canonical))`, where `canonical` is the UTF-8 of
///
///   ```
///   METHOD + "\n" + PATH_WITH_QUERY + "\n" + TIMESTAMP + "\n" + NONCE + "\n" + BODY_SHA256
///   ```
///
///   - `METHOD`: the request method in upper case, e.g. `POST`;
///   - `PATH_WITH_QUERY`: the request target exactly as sent on the request
///     line: path, and `?` and the query if there is one, with its
///     percent-encoding untouched, e.g. `/api/v1/orders?limit=20`;
///   - `TIMESTAMP`, `NONCE`: the two header values exactly as sent;
///   - `BODY_SHA256`: lower-case hex SHA-256 of the body bytes as sent
///     (`e3b0c442…b855` for an empty body).
///
/// For example, `GET /api/v1/products?limit=2` at 1732400000000 with nonce
/// `aaaaaaaaaaaaaaaa` signs
/// `GET\n/api/v1/products?limit=2\n1732400000000\naaaaaaaaaaaaaaaa\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855`.
///
/// Checks run cheapest first: headers present and well formed, timestamp
/// in range, then the body is read and the signature compared in constant
/// time, and only then is the nonce recorded, so only authentic requests
/// take room in the nonce cache.
public final class RequestSignatureVerifier: Sendable {
    public let clockSkewMs: Int64
    private let key: SymmetricKey
    private let nonces: NonceCache
    private let nowMs: @Sendable () -> Int64

    static let timestampRule = TextRule(.digits, 1...16)
    static let nonceRule = TextRule(.base64URL, 16...64)
    static let signatureHexCount = 64

    /// - Throws: `RequestSignatureConfigurationError.keyTooShort` when the key has fewer than `keyBytesMin` bytes.
    public init(configuration: RequestSignatureConfiguration,
                nowMs: @escaping @Sendable () -> Int64) throws(RequestSignatureConfigurationError) {
        guard configuration.keyBytes.count >= RequestSignatureConfiguration.keyBytesMin else {
            throw .keyTooShort(bytes: configuration.keyBytes.count)
        }
        clockSkewMs = min(max(configuration.clockSkewMs, 1_000), RequestSignatureConfiguration.clockSkewMsMax)
        key = SymmetricKey(data: configuration.keyBytes)
        nonces = NonceCache(entriesMax: configuration.nonceEntriesMax, shardCount: configuration.nonceShardCount,
                            lifetimeMs: 2 * clockSkewMs)
        self.nowMs = nowMs
    }

    /// The three headers, parsed; the timestamp already checked against the clock.
    struct SignedHeaders: Sendable {
        var timestamp: String
        var nonce: String
        var signature: [UInt8]
    }

    /// Checks everything but the body: present, well formed, timestamp in range.
    func checkHeaders(_ headers: HTTPFields) throws(RequestSignatureError) -> SignedHeaders {
        let timestamp = try Self.single(.xMallTimestamp, in: headers)
        let nonce = try Self.single(.xMallNonce, in: headers)
        let signatureHex = try Self.single(.xMallSignature, in: headers)
        guard Self.timestampRule.accepts(timestamp), let timestampMs = Int64(timestamp) else {
            throw .malformedHeader(HTTPField.Name.xMallTimestamp.rawName, rule: Self.timestampRule.rule)
        }
        guard Self.nonceRule.accepts(nonce) else { throw .malformedHeader(HTTPField.Name.xMallNonce.rawName, rule: Self.nonceRule.rule) }
        guard let signature = Self.bytes(hex: signatureHex) else {
            throw .malformedHeader(HTTPField.Name.xMallSignature.rawName, rule: "must be 64 hex digits")
        }
        let (offsetMs, overflows) = timestampMs.subtractingReportingOverflow(nowMs())
        guard !overflows, offsetMs >= -clockSkewMs, offsetMs <= clockSkewMs else {
            throw .staleTimestamp(offsetMs: overflows ? .max : offsetMs, allowedMs: clockSkewMs)
        }
        return SignedHeaders(timestamp: timestamp, nonce: nonce, signature: signature)
    }

    /// Compares the signature (constant time), then records the nonce.
    func verify(_ signed: SignedHeaders, method: String, pathWithQuery: String, body: ByteBuffer) throws(RequestSignatureError) {
        let canonical = Self.canonical(method: method, pathWithQuery: pathWithQuery, timestamp: signed.timestamp,
                                       nonce: signed.nonce, body: body)
        guard HMAC<SHA256>.isValidAuthenticationCode(signed.signature, authenticating: Array(canonical.utf8), using: key) else {
            throw .badSignature
        }
        switch nonces.insert(signed.nonce, nowMs: nowMs()) {
        case .accepted: return
        case .replayed: throw .replayedNonce
        case .full(let retryAfterMs): throw .nonceCacheFull(retryAfterSeconds: Int((retryAfterMs + 999) / 1000))
        }
    }

    /// Checks a whole request: the headers, then the signature over `body`, then the nonce.
    public func verify(method: String, pathWithQuery: String, headers: HTTPFields, body: ByteBuffer) throws(RequestSignatureError) {
        try verify(checkHeaders(headers), method: method, pathWithQuery: pathWithQuery, body: body)
    }

    /// The string that is signed (see the type's documentation).
    public static func canonical(method: String, pathWithQuery: String, timestamp: String, nonce: String, body: ByteBuffer) -> String {
        var hasher = SHA256()
        body.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
        return [method, pathWithQuery, timestamp, nonce, hex(hasher.finalize())].joined(separator: "\n")
    }

    /// `X-Mall-Signature` for a request: what a client computes (and tests do).
    public static func signature(keyBytes: [UInt8], method: String, pathWithQuery: String, timestamp: String,
                                 nonce: String, body: ByteBuffer) -> String {
        let canonical = Self.canonical(method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, nonce: nonce, body: body)
        return hex(HMAC<SHA256>.authenticationCode(for: Array(canonical.utf8), using: SymmetricKey(data: keyBytes)))
    }

    /// The one value of `name`; missing or repeated is an error naming the header.
    private static func single(_ name: HTTPField.Name, in headers: HTTPFields) throws(RequestSignatureError) -> String {
        let values = headers[values: name]
        guard let value = values.first else { throw .missingHeader(name.rawName) }
        guard values.count == 1 else { throw .malformedHeader(name.rawName, rule: "must appear once") }
        return value
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// 32 bytes from exactly 64 hex digits of either case, else nil.
    static func bytes(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count == signatureHexCount else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count / 2)
        for index in stride(from: 0, to: utf8.count, by: 2) {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Why a signed request was refused. Each case maps to one API code in `APIError.init(_:)`.
public enum RequestSignatureError: Error, Sendable, Equatable {
    case missingHeader(String)
    case malformedHeader(String, rule: String)
    /// The timestamp is `offsetMs` from the server's clock (positive: ahead); `allowedMs` either way.
    case staleTimestamp(offsetMs: Int64, allowedMs: Int64)
    case badSignature
    case replayedNonce
    /// The nonce cache is at its limit; a slot frees in this many seconds.
    case nonceCacheFull(retryAfterSeconds: Int)
}

public enum RequestSignatureConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The key is shorter than `RequestSignatureConfiguration.keyBytesMin`.
    case keyTooShort(bytes: Int)

    public var description: String {
        switch self {
        case .keyTooShort(let bytes):
            "request signing key has \(bytes) bytes; it needs at least \(RequestSignatureConfiguration.keyBytesMin)"
        }
    }
}

extension APIError {
    /// The one place signature failures become API codes.
    init(_ error: RequestSignatureError) {
        switch error {
        case .missingHeader(let name):
            self.init(.unauthorized, "request signature: header \(name) is missing")
        case .malformedHeader(let name, let rule):
            self.init(.unauthorized, "request signature: header \(name) \(rule)")
        case .staleTimestamp(let offsetMs, let allowedMs):
            let direction = offsetMs > 0 ? "ahead of" : "behind"
            self.init(.unauthorized, "request signature: X-Mall-Timestamp is \(offsetMs.magnitude) ms \(direction) the server's clock; "
                      + "at most \(allowedMs) ms is allowed")
        case .badSignature:
            self.init(.unauthorized, "request signature: X-Mall-Signature does not match the request")
        case .replayedNonce:
            self.init(.unauthorized, "request signature: X-Mall-Nonce was already used; send a new nonce with every request")
        case .nonceCacheFull(let retryAfterSeconds):
            self.init(.unavailable, "replay protection is at capacity; retry in \(retryAfterSeconds) s",
                      headers: [.retryAfter: String(retryAfterSeconds)])
        }
    }
}
