import HTTPTypes
import Hummingbird

/// Settings of the security headers.
public struct SecurityHeadersConfiguration: Sendable, Equatable {
    /// Whether clients reach the server over HTTPS (directly or through a
    /// terminating proxy). Only then is `Strict-Transport-Security` sent: over
    /// plain HTTP browsers ignore it, and on a host also served over HTTP it
    /// would lock browsers out of that.
    public var isBehindHTTPS: Bool
    /// `max-age` of `Strict-Transport-Security`: a year, the value preload lists ask for.
    public var hstsMaxAgeSeconds: Int
    /// Adds `includeSubDomains`: only when every subdomain is served over HTTPS too.
    public var hstsIncludesSubdomains: Bool

    public init(isBehindHTTPS: Bool = false, hstsMaxAgeSeconds: Int = 31_536_000, hstsIncludesSubdomains: Bool = false) {
        (self.isBehindHTTPS, self.hstsMaxAgeSeconds, self.hstsIncludesSubdomains) = (isBehindHTTPS, hstsMaxAgeSeconds, hstsIncludesSubdomains)
    }
}

/// The headers every response carries, and the `Server` header none does:
///
/// - `X-Content-Type-Options: nosniff`: a JSON body is never run as a script or page;
/// - `Referrer-Policy: no-referrer`: paths, which hold ids, do not leak to other sites;
/// - `X-Frame-Options: DENY`: no page of the server is framed (clickjacking);
/// - `Content-Security-Policy` on `/docs`, the one HTML page (see `DocsContentSecurityPolicy`);
/// - `Strict-Transport-Security` only when `isBehindHTTPS`;
/// - `X-Mall-Sandbox: 1` on a sandbox server (DESIGN "External services").
///
/// Hummingbird adds `Server` itself after every middleware when the
/// application is configured with a `serverName`; `buildApplication` sets
/// none, so no banner names the software.
struct SecurityHeaders: Sendable {
    let fields: HTTPFields
    let docsFields: HTTPFields
    /// An envelope's reply: `Envelopes.fields` then `fields`.
    let envelopeFields: HTTPFields

    /// The page the docs CSP applies to.
    static var docsPath: String { "/docs" }

    init(configuration: SecurityHeadersConfiguration, sandbox: Bool) {
        var fields: HTTPFields = [
            .xContentTypeOptions: "nosniff",
            .referrerPolicy: "no-referrer",
            .xFrameOptions: "DENY",
        ]
        if configuration.isBehindHTTPS {
            let maxAge = max(configuration.hstsMaxAgeSeconds, 0)
            fields[.strictTransportSecurity] = "max-age=\(maxAge)" + (configuration.hstsIncludesSubdomains ? "; includeSubDomains" : "")
        }
        if sandbox { fields[.mallSandbox] = "1" }
        self.fields = fields
        var docsFields = fields
        docsFields[.contentSecurityPolicy] = DocsContentSecurityPolicy.value
        self.docsFields = docsFields
        envelopeFields = Envelopes.fields + fields
    }

    func apply(to response: inout Response, path: Substring) {
        let isDocs = path == Self.docsPath || path == Self.docsPath + "/"
        // An envelope's reply carries only its content type: it gets the fields made for it at start,
        // shared, not a copy grown by appending.
        // (Its one field is compared as it is: `headers[.contentType]` would join the values into a new String.)
        if !isDocs, response.headers.count == 1, let only = response.headers.first, only.name == .contentType,
           only.value == Envelopes.contentType {
            response.headers = envelopeFields
            return
        }
        let ours = isDocs ? docsFields : fields
        // The usual reply holds none of these names: one pass to tell, then one append.
        // Setting each field by name would search the reply's fields once per name.
        let overlaps = response.headers.contains { field in
            field.name == .server || ours.contains { $0.name == field.name }
        }
        guard overlaps else {
            response.headers.append(contentsOf: ours)
            return
        }
        for field in ours { response.headers[field.name] = field.value }
        response.headers[.server] = nil
    }
}
