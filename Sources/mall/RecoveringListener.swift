import Foundation
import Hummingbird
import Logging
import Net
import ServiceLifecycle

/// Answers on the server's port while recovery runs, so a readiness probe
/// gets a clear 503 ("recovering") instead of a refused connection, and
/// `/healthz` says the process is alive. Every other path answers 503 too.
/// It stops, and frees the port, before the API starts listening.
struct RecoveringListener {
    let host: String
    let port: Int
    /// Labels these replies too: a sandbox server says so from its first reply.
    let sandbox: Bool
    let logger: Logger

    /// Runs `recover` while the listener answers; stops the listener once it returns or throws.
    func whileRecovering<T: Sendable>(_ recover: @Sendable () async throws -> T) async throws -> T {
        let startedMs = Int64(Date().timeIntervalSince1970 * 1000)
        let router = Router()
        if sandbox { router.middlewares.add(SandboxHeaderMiddleware()) }
        router.get("healthz") { _, _ in Self.reply(.ok, code: 200, message: "success", data: #"{"status":"recovering"}"#) }
        router.addMiddleware { RecoveringMiddleware(startedMs: startedMs) }
        let app = Application(router: router, configuration: .init(address: .hostname(host, port: port)),
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            defer { tasks.cancelAll() }
            do {
                let value = try await recover()
                await group.triggerGracefulShutdown()
                try await tasks.next()
                return value
            } catch {
                await group.triggerGracefulShutdown()
                _ = try? await tasks.next()
                throw error
            }
        }
    }

    static func reply(_ status: HTTPResponse.Status, code: Int, message: String, data: String) -> Response {
        let body = #"{"code":\#(code),"message":"\#(message)","data":\#(data),"timestamp":\#(Int64(Date().timeIntervalSince1970 * 1000))}"#
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

private struct RecoveringMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let startedMs: Int64

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/healthz" { return try await next(request, context) }
        let elapsedMs = Int64(Date().timeIntervalSince1970 * 1000) - startedMs
        var response = RecoveringListener.reply(
            .serviceUnavailable, code: 503, message: "recovering: rebuilding state from the snapshot and the write-ahead log",
            data: #"{"ready":false,"reason":"recovering","recoveringForMs":\#(elapsedMs)}"#)
        response.headers[.retryAfter] = "1"
        return response
    }
}
