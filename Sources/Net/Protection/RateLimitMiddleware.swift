import HTTPTypes
import Hummingbird

/// A request context the rate limiter can key: the connection's peer, and
/// the signed-in account once a route group's auth middleware has run.
public protocol RateLimitRequestContext: RemoteAddressRequestContext {
    /// The account to count against, or nil on public routes (the client address is used).
    var rateLimitAccount: RateLimitKey? { get }
}

extension MallRequestContext: RateLimitRequestContext {
    public var rateLimitAccount: RateLimitKey? {
        switch principal {
        case .user(let id): .user(id)
        case .admin(let id, _, _): .admin(id)
        case nil: nil
        }
    }
}

/// Which route class a request of a group is limited as.
public enum RouteClassification: Sendable, Equatable {
    /// Every request of the group: e.g. `.login` on the login routes.
    case fixed(RouteClass)
    /// GET and HEAD are `.read`; every other method is `.write`.
    case byMethod

    func routeClass(of request: Request) -> RouteClass {
        switch self {
        case .fixed(let routeClass): routeClass
        case .byMethod: request.method == .get || request.method == .head ? .read : .write
        }
    }
}

/// Refuses a request over its route class's limit with 429, the envelope
/// (code 429) and `Retry-After` in seconds.
///
/// The key is the signed-in account when the context has one, otherwise the
/// client address (see `ClientAddressResolver`). So that buyers are counted
/// by account, attach it to a group after that group's `AuthMiddleware`.
/// Attach it after `ErrorEnvelopeMiddleware` (which turns the thrown
/// `APIError` into the reply); only routes of its group are counted.
public struct RateLimitMiddleware<Context: RateLimitRequestContext>: RouterMiddleware {
    let limiter: RateLimiter
    let classification: RouteClassification
    let clientAddress: ClientAddressResolver

    /// - Parameters:
    ///   - limiter: shared by every group, so one key has one count per class across the API.
    ///   - classification: the class of the group's requests.
    ///   - clientAddress: which proxies' `X-Forwarded-For` to trust; none by default.
    public init(limiter: RateLimiter, classification: RouteClassification,
                clientAddress: ClientAddressResolver = ClientAddressResolver()) {
        (self.limiter, self.classification, self.clientAddress) = (limiter, classification, clientAddress)
    }

    public init(limiter: RateLimiter, routeClass: RouteClass, clientAddress: ClientAddressResolver = ClientAddressResolver()) {
        self.init(limiter: limiter, classification: .fixed(routeClass), clientAddress: clientAddress)
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let routeClass = classification.routeClass(of: request)
        let key = context.rateLimitAccount ?? clientAddress.key(peer: context.remoteAddress, headers: request.headers)
        switch limiter.check(routeClass, key: key) {
        case .allowed:
            return try await next(request, context)
        case .limited(let retryAfterSeconds):
            throw APIError(.rateLimited, "too many \(routeClass.rawValue) requests; retry in \(retryAfterSeconds) s",
                           headers: [.retryAfter: String(retryAfterSeconds)])
        }
    }
}
