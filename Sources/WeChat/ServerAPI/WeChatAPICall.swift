import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1

/// One round trip to the WeChat API host: send, bound the answer, parse the
/// errcode envelope (section 0). Each client maps the errcodes of its own API.
enum WeChatAPICall {
    /// - Parameters:
    ///   - secrets: values that may appear in a transport error's text (the
    ///     URL holds codes and tokens): they are redacted, raw and percent-encoded.
    /// - Throws: `.transport` when the call did not complete; `.badResponse`
    ///   for a status other than 200, a body over `responseBytesMax` or one
    ///   that is not a JSON object with an integer errcode.
    static func perform(
        _ request: HTTPClientRequest, httpClient: HTTPClient, timeout: Duration, responseBytesMax: Int,
        redacting secrets: [String], logger: Logger
    ) async throws(WeChatError) -> WeChatAPIAnswer {
        // AsyncHTTPClient's trace log dumps response body bytes, which hold
        // access tokens and session keys: it gets info and above only.
        var httpLogger = logger
        httpLogger.logLevel = max(logger.logLevel, .info)
        let status: Int
        let body: ByteBuffer
        do {
            let response = try await httpClient.execute(request, timeout: .init(timeout), logger: httpLogger)
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: responseBytesMax)
        } catch is NIOTooManyBytesError {
            throw .badResponse("body larger than \(responseBytesMax) bytes")
        } catch {
            throw .transport(Redaction.redact(String(describing: error), secrets: secrets))
        }
        // Section 0: WeChat answers 200 even for failures; anything else is a proxy or gateway.
        guard status == 200 else { throw .badResponse("HTTP status \(status)") }
        return try WeChatAPIAnswer.parse(Data(body.readableBytesView))
    }

    /// A JSON request body. Encoding a struct of strings and bools cannot
    /// fail; should it ever, the request is refused rather than sent empty.
    static func jsonBody(_ value: some Encodable) throws(WeChatError) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(value) else { throw .badResponse("request body is not encodable as JSON") }
        return ByteBuffer(bytes: data)
    }
}

enum Redaction {
    /// Replaces each secret, and its percent-encoded form (as it appears in
    /// a URL), with `<redacted>`.
    static func redact(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
            if let encoded = secret.addingPercentEncoding(withAllowedCharacters: BaseURL.unreserved), encoded != secret {
                result = result.replacingOccurrences(of: encoded, with: "<redacted>")
            }
        }
        return result
    }
}

enum BaseURL {
    /// Drops trailing slashes so paths can be appended with a leading "/".
    static func normalized(_ url: String) -> String {
        var result = url
        while result.hasSuffix("/") { result.removeLast() }
        return result
    }

    /// RFC 3986 unreserved characters pass; everything else is percent-encoded,
    /// so a code or secret with `&`, `=` or `+` cannot change the query.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
    )

    static func query(_ items: [(String, String)]) -> String {
        return items.map { name, value in
            let encoded = value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
            return name + "=" + encoded
        }.joined(separator: "&")
    }
}
