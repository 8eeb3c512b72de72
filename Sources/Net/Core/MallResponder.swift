import Hummingbird

/// The API's responder: a flash-sale purchase, the one request a sale sends
/// by the thousand in a second, goes to a router holding only its route; every
/// other request goes to the API's router.
///
/// Hummingbird resolves a path through a trie, comparing each segment with
/// the siblings of its level in turn. Under `api/v1` there are dozens, so the
/// purchase path cost about 4 % of the server's CPU per purchase to resolve
/// (`perf`, docs/benchmarks.md). The purchase router is built by the same
/// `SeckillController.addUserRoutes` with the same middleware values in the
/// same order (`makeRoutes`), so the reply is the one the API's router gives,
/// path parameters and endpoint path included.
public struct MallResponder: HTTPResponder {
    public typealias Context = MallRequestContext
    let router: RouterResponder<Context>
    let purchase: RouterResponder<Context>

    /// The purchase route, as the router describes it.
    static let purchasePath = "/api/v1/seckill/activities/{id}/orders"

    public func respond(to request: Request, context: Context) async throws -> Response {
        if request.method == .post, Self.isPurchasePath(request.uri.path) {
            return try await purchase.respond(to: request, context: context)
        }
        return try await router.respond(to: request, context: context)
    }

    /// Whether `path` is `/api/v1/seckill/activities/` + one non-empty segment + `/orders`,
    /// exactly: anything else (a trailing slash, an empty or extra segment) goes to the
    /// API's router, which knows every other route and answers 404 or 405.
    static func isPurchasePath(_ path: String) -> Bool {
        let prefix = "/api/v1/seckill/activities/".utf8
        let suffix = "/orders".utf8
        let bytes = path.utf8
        guard bytes.count > prefix.count + suffix.count, bytes.starts(with: prefix) else { return false }
        let segment = bytes.dropFirst(prefix.count).dropLast(suffix.count)
        return bytes.suffix(suffix.count).elementsEqual(suffix) && !segment.contains(UInt8(ascii: "/"))
    }
}
