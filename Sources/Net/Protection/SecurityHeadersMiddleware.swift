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

/// Adds the headers every response carries, and drops `Server`:
///
/// - `X-Content-Type-Options: nosniff`: a JSON body is never run as a script or page;
/// - `Referrer-Policy: no-referrer`: paths, which hold ids, do not leak to other sites;
/// - `X-Frame-Options: DENY`: no page of the server is framed (clickjacking);
/// - `Content-Security-Policy` on `/docs`, the one HTML page (see `DocsContentSecurityPolicy`);
/// - `Strict-Transport-Security` only when `isBehindHTTPS`.
///
/// Add it to the router first, before `ErrorEnvelopeMiddleware`, so error
/// replies carry the headers too. Hummingbird adds `Server` itself after
/// every middleware when the application is configured with a `serverName`;
/// `buildApplication` sets none, so no banner names the software.
public struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let headers: HTTPFields
    let docsHeaders: HTTPFields

    /// The page the docs CSP applies to.
    static var docsPath: String { "/docs" }

    public init(configuration: SecurityHeadersConfiguration = SecurityHeadersConfiguration()) {
        var headers: HTTPFields = [
            .xContentTypeOptions: "nosniff",
            .referrerPolicy: "no-referrer",
            .xFrameOptions: "DENY",
        ]
        if configuration.isBehindHTTPS {
            let maxAge = max(configuration.hstsMaxAgeSeconds, 0)
            headers[.strictTransportSecurity] = "max-age=\(maxAge)" + (configuration.hstsIncludesSubdomains ? "; includeSubDomains" : "")
        }
        self.headers = headers
        var docsHeaders = headers
        docsHeaders[.contentSecurityPolicy] = DocsContentSecurityPolicy.value
        self.docsHeaders = docsHeaders
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        let isDocs = request.uri.path == Self.docsPath || request.uri.path == Self.docsPath + "/"
        for field in isDocs ? docsHeaders : headers {
            response.headers[field.name] = field.value
        }
        response.headers[.server] = nil
        return response
    }
}
