import HTTPTypes
import Hummingbird
import Logging

extension HTTPField.Name {
    /// `X-Mall-Sandbox: 1` on every reply of a server started with `--sandbox`.
    public static let mallSandbox: HTTPField.Name = {
        guard let name = HTTPField.Name("X-Mall-Sandbox") else { preconditionFailure("X-Mall-Sandbox is a valid token") }
        return name
    }()
}

/// Labels every reply of a sandbox server, so a client (or a person reading a
/// capture) can never mistake a sandbox login or payment for a real one
/// (DESIGN "External services"). Added first, outside every other middleware,
/// so errors and 404s carry it too. For routers without `EdgeMiddleware`
/// (the listener that answers during recovery); `EdgeMiddleware` adds the
/// header itself on the API's router.
public struct SandboxHeaderMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        } catch {
            // What Hummingbird answers for an error no middleware turned into a reply, labelled.
            context.logger.error("request failed outside the error middleware", metadata: ["error": "\(error)"])
            response = Response(status: .internalServerError)
        }
        response.headers[.mallSandbox] = "1"
        return response
    }
}
