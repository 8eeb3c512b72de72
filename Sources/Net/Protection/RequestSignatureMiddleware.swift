import HTTPTypes
import Hummingbird

/// Refuses a request whose `X-Mall-*` signature headers are missing, stale,
/// replayed or wrong (401, a message naming which), as `RequestSignatureVerifier`
/// describes. With no verifier (signing off, the default) it passes every
/// request on untouched.
///
/// It reads the body, up to the context's `maxUploadSize` (a larger body is
/// the usual 413), to hash it, and hands the buffered body on, so the route
/// decodes the very bytes that were verified.
public struct RequestSignatureMiddleware<Context: RequestContext>: RouterMiddleware {
    let verifier: RequestSignatureVerifier?
    /// Bodies read for the hash at most; nil: the context's `maxUploadSize`.
    let bodyBytesMax: Int?

    /// - Parameters:
    ///   - verifier: nil turns signing off.
    ///   - bodyBytesMax: the largest body to read and hash (upload routes take megabytes); nil: the context's `maxUploadSize`.
    public init(verifier: RequestSignatureVerifier?, bodyBytesMax: Int? = nil) {
        self.verifier = verifier
        self.bodyBytesMax = bodyBytesMax
    }

    /// Signing on when `configuration.isEnabled`, off otherwise.
    ///
    /// - Throws: `RequestSignatureConfigurationError` when enabled with a key that is too short.
    public init(configuration: RequestSignatureConfiguration,
                nowMs: @escaping @Sendable () -> Int64) throws(RequestSignatureConfigurationError) {
        if configuration.isEnabled {
            verifier = try RequestSignatureVerifier(configuration: configuration, nowMs: nowMs)
        } else {
            verifier = nil
        }
        bodyBytesMax = nil
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let verifier else { return try await next(request, context) }
        var request = request
        do {
            // Headers and timestamp first: a request that fails them costs no body read.
            let signed = try verifier.checkHeaders(request.headers)
            let body = try await request.collectBody(upTo: bodyBytesMax ?? context.maxUploadSize)
            try verifier.verify(signed, method: request.method.rawValue, pathWithQuery: request.head.path ?? "",
                                body: body)
        } catch let error as RequestSignatureError {
            throw APIError(error)
        }
        return try await next(request, context)
    }
}
