import Hummingbird

/// Requires a bearer access token of one kind and records the principal.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = MallRequestContext
    let tokens: TokenService
    let kind: TokenService.Kind
    /// `Bearer ` and a JWT: this server's are about 300 bytes.
    static let headerBytesMax = 4096

    public init(tokens: TokenService, kind: TokenService.Kind) {
        precondition(kind != .refresh, "refresh tokens never authorize a request")
        self.tokens = tokens
        self.kind = kind
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        // A token longer than any this server issues is refused before it is decoded.
        guard let header = request.headers[.authorization], header.hasPrefix("Bearer "),
              header.utf8.count <= Self.headerBytesMax,
              let verified = await tokens.verify(String(header.dropFirst(7)), expecting: kind)
        else { throw APIError(.unauthorized) }
        var context = context
        switch kind {
        case .user: context.principal = .user(id: verified.subjectID)
        case .admin: context.principal = .admin(id: verified.subjectID, username: verified.name ?? "", role: verified.role ?? "")
        case .refresh: throw APIError(.unauthorized)
        }
        return try await next(request, context)
    }
}
