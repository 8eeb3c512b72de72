import Hummingbird

/// The API's responder: a flash-sale purchase, the one request a sale sends
/// by the thousand in a second, is dispatched without the router; every other
/// request goes to the API's router.
///
/// Hummingbird's router resolves every path through its trie, splitting it
/// and matching segment by segment into a parameter dictionary: about 3 % of
/// the server's CPU per purchase (`perf`, docs/benchmarks.md), and as much
/// with a trie that holds the purchase route alone. The purchase path is
/// recognised here by its shape, its `id` set as the router would set it, and
/// the request handed to `purchase`: the purchase route's middlewares (the
/// same values, in the same order, as `makeRoutes` gives the routed endpoint)
/// around `SeckillController.purchase`.
public struct MallResponder: HTTPResponder {
    public typealias Context = MallRequestContext
    let router: RouterResponder<Context>
    let purchase: any HTTPResponder<Context>

    /// The purchase route as the router describes it: `MallResponderTests` checks that the router
    /// registers exactly this, so the capture is named `id` in both.
    static let purchasePath = "/api/v1/seckill/activities/{id}/orders"

    public func respond(to request: Request, context: Context) async throws -> Response {
        if request.method == .post, let id = Self.purchaseActivityID(in: request.targetPath) {
            var context = context
            // Appended to an empty one: the dictionary literal went through Hummingbird's unspecialized
            // generic init (a variadic array, a map, tuple metadata), 1.4 % of the CPU per purchase by perf.
            var parameters = Parameters()
            parameters.append(key: Self.idParameter, value: id)
            context.coreContext.parameters = parameters
            context.coreContext.endpointPath.value = Self.purchasePath
            return try await purchase.respond(to: request, context: context)
        }
        return try await router.respond(to: request, context: context)
    }

    private static let idParameter: Substring = "id"

    /// The `{id}` segment when `path` is `/api/v1/seckill/activities/` + one non-empty segment
    /// + `/orders`, exactly; nil for anything else (a trailing slash, an empty or extra segment),
    /// which the API's router, knowing every other route, answers.
    static func purchaseActivityID(in path: Substring) -> Substring? {
        let prefix = "/api/v1/seckill/activities/".utf8
        let suffix = "/orders".utf8
        let bytes = path.utf8
        guard bytes.count > prefix.count + suffix.count, bytes.starts(with: prefix),
              bytes.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        let start = bytes.index(bytes.startIndex, offsetBy: prefix.count)
        let end = bytes.index(bytes.endIndex, offsetBy: -suffix.count)
        guard !bytes[start..<end].contains(UInt8(ascii: "/")) else { return nil }
        return path[start..<end]
    }
}

/// `middlewares`, the first outermost, around `endpoint`: what a router group
/// builds for a route, for a route served without the router (`MallResponder`).
struct MiddlewareChain: HTTPResponder {
    typealias Context = MallRequestContext
    let middleware: any RouterMiddleware<Context>
    let next: any HTTPResponder<Context>

    static func responder(_ middlewares: [any RouterMiddleware<Context>], around endpoint: any HTTPResponder<Context>)
        -> any HTTPResponder<Context> {
        middlewares.reversed().reduce(endpoint) { next, middleware in MiddlewareChain(middleware: middleware, next: next) }
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        // A closure, not `next.respond(to:context:)`: the partially applied method of an
        // existential boxed a copy of it on the heap on every request.
        let next = self.next
        return try await middleware.handle(request, context: context) { request, context in
            try await next.respond(to: request, context: context)
        }
    }
}

extension Request {
    /// `uri.path` without building a String for the usual origin-form target (`/a/b?q`): the
    /// bytes of the target before its `?`, which is what `URI` takes as the path of a target
    /// starting with `/`. Any other form (absolute-form, `*`) is left to `URI`'s parser.
    var targetPath: Substring {
        guard let target = head.path, target.utf8.first == UInt8(ascii: "/") else { return Substring(uri.path) }
        guard let query = target.utf8.firstIndex(of: UInt8(ascii: "?")) else { return target[...] }
        return target[..<query]
    }
}
