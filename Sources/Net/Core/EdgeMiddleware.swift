import HTTPTypes
import Hummingbird
import Logging

/// The router's one outer layer: every reply of `buildRouter` passes through
/// it once. From the inside out it
///
/// 1. answers a path asked with a method it does not serve with 405 and
///    `Allow`, not 404 (see `RouteMethods`);
/// 2. maps every error to the envelope (`ErrorEnvelopeMiddleware.apiError`);
/// 3. adds the security headers and drops `Server` (`SecurityHeaders`);
/// 4. labels every reply of a sandbox server with `X-Mall-Sandbox: 1`.
///
/// These were four middlewares. Each layer costs every request an async call
/// with a copy of the request and of the context, so the router has one.
public struct EdgeMiddleware<Context: RequestContext>: RouterMiddleware {
    let headers: SecurityHeaders
    /// The methods each path serves, for the 405; nil answers an unknown method with the 404 the router throws.
    let routes: RouteMethods?

    public init(headers: SecurityHeadersConfiguration = SecurityHeadersConfiguration(), sandbox: Bool = false) {
        self.init(headers: headers, sandbox: sandbox, routes: nil)
    }

    init(headers: SecurityHeadersConfiguration, sandbox: Bool, routes: RouteMethods?) {
        self.headers = SecurityHeaders(configuration: headers, sandbox: sandbox)
        self.routes = routes
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = errorResponse(for: error, request: request, context: context)
        }
        headers.apply(to: &response, path: request.targetPath)
        return response
    }

    private func errorResponse(for error: any Error, request: Request, context: Context) -> Response {
        let apiError: APIError
        if let routes, let httpError = error as? HTTPError, httpError.status == .notFound,
           let methodNotAllowed = routes.methodNotAllowed(request) {
            apiError = methodNotAllowed
        } else {
            apiError = ErrorEnvelopeMiddleware<Context>.apiError(for: error, requestID: context.id, logger: context.logger)
        }
        do {
            return try Envelope<ErrorDetail>(error: apiError).response(from: request, context: context)
        } catch {
            // Encoding an error envelope has nothing that can fail; should it, the reply is still labelled.
            context.logger.error("could not encode the error envelope", metadata: ["error": "\(error)"])
            return Response(status: .internalServerError)
        }
    }
}
