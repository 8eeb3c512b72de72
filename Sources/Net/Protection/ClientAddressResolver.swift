#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import HTTPTypes
import NIOCore

/// Finds the client's address for rate limiting: the connection's peer, or,
/// when the peer is a trusted proxy, the address that proxy reports in
/// `X-Forwarded-For`.
///
/// `X-Forwarded-For` is trusted only from the proxies named here (none by
/// default): any client can send the header, so trusting it from anyone
/// would let a client pick a fresh key per request and never be limited.
/// The list is read from the right, where each proxy appends the peer it
/// saw; the first address that is not a trusted proxy is the client's.
///
/// An IPv6 client is keyed by its /64: one subscriber is usually given a
/// whole /64, and keying by full address would give it 2^64 fresh keys.
public struct ClientAddressResolver: Sendable, Equatable {
    /// The trusted proxies, as canonical address bytes (4 or 16).
    private let trustedProxies: Set<[UInt8]>

    /// `X-Forwarded-For` values longer than this are ignored (the peer is used): a
    /// chain of 32 IPv6 hops fits, and parsing stays cheap.
    static let forwardedForBytesMax = 2048
    /// Hops read from the right of the list at most.
    static let forwardedHopsMax = 32
    /// The longest textual address (an IPv6 with an embedded IPv4).
    static let addressCharactersMax = 45

    /// Trusts no proxy: the key is always the connection's peer.
    public init() {
        trustedProxies = []
    }

    /// Trusts `X-Forwarded-For` from connections whose peer is one of
    /// `trustedProxies` (IPv4 or IPv6 literals, e.g. the load balancer's
    /// private address).
    ///
    /// - Throws: `ClientAddressError.invalidProxyAddress` naming the first entry that is not an IP address.
    public init(trustedProxies: [String]) throws(ClientAddressError) {
        var parsed = Set<[UInt8]>()
        for text in trustedProxies {
            guard let bytes = Self.parse(Substring(text)) else { throw .invalidProxyAddress(text) }
            parsed.insert(bytes)
        }
        self.trustedProxies = parsed
    }

    /// The rate-limit key of the client that sent `headers` over a connection from `peer`.
    ///
    /// - Complexity: O(length of `X-Forwarded-For`), bounded by `forwardedForBytesMax`.
    public func key(peer: SocketAddress?, headers: HTTPFields) -> RateLimitKey {
        guard let peerBytes = peer.flatMap(Self.bytes(of:)) else { return .unknownAddress }
        guard trustedProxies.contains(peerBytes) else { return Self.rateLimitKey(peerBytes) }
        return Self.rateLimitKey(clientBytes(behind: peerBytes, headers: headers))
    }

    /// The first untrusted hop from the right of `X-Forwarded-For`; the last
    /// trusted hop when the list ends, is malformed or too long.
    private func clientBytes(behind peerBytes: [UInt8], headers: HTTPFields) -> [UInt8] {
        let values = headers[values: .xForwardedFor]
        guard !values.isEmpty, values.reduce(0, { $0 + $1.utf8.count }) <= Self.forwardedForBytesMax else { return peerBytes }
        let hops = values.joined(separator: ",").split(separator: ",", omittingEmptySubsequences: false)
        var client = peerBytes
        for hop in hops.reversed().prefix(Self.forwardedHopsMax) {
            guard trustedProxies.contains(client) else { return client }
            let trimmed = hop.trimmingBlanks
            guard let bytes = Self.parse(trimmed) else { return client }
            client = bytes
        }
        return client
    }

    /// 4 bytes for IPv4 (also when mapped into IPv6), 16 for IPv6, nil for a Unix socket.
    /// Read through the address's text rather than its `sockaddr` fields: on Linux those C
    /// types come from NIO's internal module, which a clean build does not let us name.
    static func bytes(of address: SocketAddress) -> [UInt8]? {
        switch address {
        case .v4, .v6:
            guard let text = address.ipAddress else { return nil }
            return parse(Substring(text))
        case .unixDomainSocket:
            return nil
        }
    }

    /// The address bytes of an IPv4 or IPv6 literal, or nil.
    static func parse(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, text.utf8.count <= addressCharactersMax else { return nil }
        let string = String(text)
        if string.utf8.contains(UInt8(ascii: ":")) {
            var raw = [UInt8](repeating: 0, count: 16)
            guard raw.withUnsafeMutableBytes({ inet_pton(AF_INET6, string, $0.baseAddress) }) == 1 else { return nil }
            return unmapped(raw)
        }
        var raw = [UInt8](repeating: 0, count: 4)
        guard raw.withUnsafeMutableBytes({ inet_pton(AF_INET, string, $0.baseAddress) }) == 1 else { return nil }
        return raw
    }

    /// `::ffff:a.b.c.d` is the IPv4 client a dual-stack socket reports; key it as `a.b.c.d`.
    private static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return bytes }
        return Array(bytes[12..<16])
    }

    /// `1.2.3.4`, or `2001:db8:0:1::/64` for any IPv6 address in that /64.
    static func rateLimitKey(_ bytes: [UInt8]) -> RateLimitKey {
        if bytes.count == 4 {
            return .address(bytes.map { String($0) }.joined(separator: "."))
        }
        let groups = stride(from: 0, to: min(bytes.count, 8), by: 2).map { index in
            String(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]), radix: 16)
        }
        return .address(groups.joined(separator: ":") + "::/64")
    }
}

public enum ClientAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidProxyAddress(String)

    public var description: String {
        switch self {
        case .invalidProxyAddress(let text): "trusted proxy \"\(text)\" is not an IPv4 or IPv6 address"
        }
    }
}

extension Substring {
    /// Without leading and trailing spaces and tabs, as HTTP list elements are written.
    var trimmingBlanks: Substring {
        let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isBlank($0) }), let last = lastIndex(where: { !isBlank($0) }) else { return "" }
        return self[first...last]
    }
}
