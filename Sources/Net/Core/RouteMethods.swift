import HTTPTypes
import Hummingbird
import Synchronization

/// The methods each route path serves. `buildRouter` records them once every
/// route is added, before the server starts; requests read them only on the
/// not-found path, so the `Mutex` is never contended in normal traffic.
///
/// A path the router serves, asked with a method it does not serve, answers
/// 405 with an `Allow` header listing the methods it does serve (RFC 9110
/// §15.5.6), not 404: the client has the right path and the wrong method.
/// Hummingbird answers both cases with the same not-found error, so
/// `EdgeMiddleware` tells them apart by matching the path against the
/// router's own routes (`methodNotAllowed`).
final class RouteMethods: Sendable {
    private struct Route {
        /// Path segments; nil is a capture (`:id`), which matches any one segment.
        var segments: [Substring?]
        var methods: [HTTPRequest.Method]
    }

    private let table = Mutex<[Route]>([])

    /// Records `routes` (one entry per path and method, as `Router.routes` lists them;
    /// a capture segment is `{name}` or `:name`).
    func record(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        var byPath: [String: Route] = [:]
        var order: [String] = []
        for route in routes {
            if byPath[route.path] == nil {
                order.append(route.path)
                let segments = route.path.split(separator: "/").map { Self.isCapture($0) ? nil : $0 }
                byPath[route.path] = Route(segments: segments, methods: [])
            }
            byPath[route.path]?.methods.append(route.method)
        }
        let recorded = order.compactMap { byPath[$0] }
        table.withLock { $0 = recorded }
    }

    /// The 405 for `request`, when its path is served with other methods only; nil when the path is
    /// served with its method (the not-found came from the handler) or not at all.
    func methodNotAllowed(_ request: Request) -> APIError? {
        guard let allowed = methods(servingPath: request.uri.path), !allowed.contains(request.method) else { return nil }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(.methodNotAllowed, "\(request.method.rawValue) is not served on this path; it serves \(list)",
                        headers: [.allow: list])
    }

    /// The methods of the route `path` resolves to, or nil when no route has
    /// that shape. Like the router, a constant segment wins over a capture.
    ///
    /// - Complexity: O(routes × segments).
    func methods(servingPath path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/")
        return table.withLock { routes in
            var best: (route: Route, constants: [Bool])?
            for route in routes where route.segments.count == segments.count {
                guard zip(route.segments, segments).allSatisfy({ pattern, segment in pattern.map { $0 == segment } ?? true })
                else { continue }
                let constants = route.segments.map { $0 != nil }
                if best.map({ Self.isMoreSpecific(constants, than: $0.constants) }) ?? true { best = (route, constants) }
            }
            return best?.route.methods.sorted { $0.rawValue < $1.rawValue }
        }
    }

    /// `{id}` as `RouterPath` describes a capture, or `:id` as routes are written.
    private static func isCapture(_ segment: Substring) -> Bool {
        segment.hasPrefix(":") || (segment.hasPrefix("{") && segment.hasSuffix("}"))
    }

    /// Compares segment by segment from the left: the first constant facing a capture wins.
    private static func isMoreSpecific(_ lhs: [Bool], than rhs: [Bool]) -> Bool {
        for (left, right) in zip(lhs, rhs) where left != right { return left }
        return false
    }
}
