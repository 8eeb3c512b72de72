/// Where objects live on an S3-compatible service (AWS S3, Tencent COS and
/// Aliyun OSS at their S3-compatible endpoints, MinIO, moto): the endpoint,
/// the region named in the signature's scope, the bucket, and how the
/// bucket appears in a URL.
public struct S3Location: Sendable, Equatable {
    public enum Scheme: String, Sendable { case http, https }

    public let scheme: Scheme
    /// `host` or `host:port`, lowercased, as the `Host` header carries it.
    public let authority: String
    public let region: String
    public let bucket: String
    /// Path style: `<endpoint>/<bucket>/<key>`. Virtual-host style (false):
    /// `<scheme>://<bucket>.<authority>/<key>`, which COS and OSS require.
    public let isPathStyle: Bool

    /// Bucket names as S3 defines them (3 to 63 of a-z 0-9 . -); COS adds
    /// `-<appid>`, which fits. Also what keeps a virtual host name valid.
    public static let bucketBytes = 3...63
    public static let regionBytes = 1...64
    static let authorityBytesMax = 255

    /// - Parameter endpoint: `http(s)://host[:port]`, nothing after it but an optional `/`.
    public init(endpoint: String, region: String, bucket: String, isPathStyle: Bool) throws(ObjectStorageConfigurationError) {
        let parsed = try Self.parse(endpoint: endpoint)
        guard Self.regionBytes.contains(region.utf8.count),
              region.utf8.allSatisfy({ Self.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else {
            throw .invalid("region", "must be 1 to 64 characters of a-z 0-9 -, e.g. us-east-1, ap-guangzhou, oss-cn-hangzhou")
        }
        guard Self.bucketBytes.contains(bucket.utf8.count),
              bucket.utf8.allSatisfy({ Self.isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }),
              let first = bucket.utf8.first, let last = bucket.utf8.last, Self.isLowerAlphanumeric(first), Self.isLowerAlphanumeric(last)
        else {
            throw .invalid("bucket", "must be 3 to 63 characters of a-z 0-9 . -, starting and ending with a letter or digit")
        }
        (self.scheme, self.authority) = parsed
        (self.region, self.bucket, self.isPathStyle) = (region, bucket, isPathStyle)
    }

    /// The `Host` header of a request for an object.
    public var host: String { isPathStyle ? authority : "\(bucket).\(authority)" }

    /// The canonical URI of `key`: each segment percent-encoded once (S3 does
    /// not encode twice), `/` kept; the bucket's own path for an empty key.
    public func path(ofKey key: String) -> String {
        // No key: the bucket itself (CreateBucket, PutBucketPolicy).
        if key.isEmpty { return isPathStyle ? "/\(bucket)" : "/" }
        let encodedKey = SigV4Encoding.encode(key, keepingSlash: true)
        return isPathStyle ? "/\(bucket)/\(encodedKey)" : "/\(encodedKey)"
    }

    /// `scheme://host/path`, without a query.
    public func url(ofKey key: String) -> String { "\(scheme.rawValue)://\(host)\(path(ofKey: key))" }

    private static func parse(endpoint: String) throws(ObjectStorageConfigurationError) -> (Scheme, String) {
        let rule = "must be http(s)://host[:port] with nothing after the host, e.g. https://cos.ap-guangzhou.myqcloud.com"
        let scheme: Scheme
        var rest: Substring
        if endpoint.hasPrefix("https://") {
            (scheme, rest) = (.https, endpoint.dropFirst(8))
        } else if endpoint.hasPrefix("http://") {
            (scheme, rest) = (.http, endpoint.dropFirst(7))
        } else {
            throw .invalid("endpoint", rule)
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        let authority = rest.lowercased()
        let allowed = authority.utf8.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: ":") }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        guard !authority.isEmpty, authority.utf8.count <= authorityBytesMax, allowed, parts.count <= 2, !parts[0].isEmpty else {
            throw .invalid("endpoint", rule)
        }
        if parts.count == 2 {
            guard let port = Int(parts[1]), (1...65_535).contains(port) else { throw .invalid("endpoint", rule) }
        }
        return (scheme, authority)
    }

    static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}

/// An access key pair. `description` never shows the secret.
public struct S3Credentials: Sendable, Equatable, CustomStringConvertible {
    public let accessKeyID: String
    public let secretAccessKey: String

    /// AWS access key ids are 16 to 128 characters; COS SecretIds and OSS AccessKey ids fit too.
    public static let accessKeyIDBytes = 1...128
    public static let secretBytes = 1...256

    public init(accessKeyID: String, secretAccessKey: String) throws(ObjectStorageConfigurationError) {
        guard Self.accessKeyIDBytes.contains(accessKeyID.utf8.count),
              accessKeyID.utf8.allSatisfy({ (0x21...0x7E).contains($0) && $0 != UInt8(ascii: "/") }) else {
            throw .invalid("access key id", "must be 1 to 128 visible ASCII characters without /")
        }
        guard Self.secretBytes.contains(secretAccessKey.utf8.count) else {
            throw .invalid("secret access key", "must be 1 to 256 bytes")
        }
        (self.accessKeyID, self.secretAccessKey) = (accessKeyID, secretAccessKey)
    }

    public var description: String { "S3Credentials(\(accessKeyID), secret redacted)" }
}

/// A setting of the object storage that cannot work, named with its rule.
public enum ObjectStorageConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(_ setting: String, _ rule: String)

    public var description: String {
        switch self {
        case .invalid(let setting, let rule): "object storage \(setting) \(rule)"
        }
    }
}
