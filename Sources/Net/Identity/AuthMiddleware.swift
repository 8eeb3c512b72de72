import Engine
import HTTPTypes
import Hummingbird

/// Requires a bearer access token of one kind whose session is still live, and
/// records the principal. The signature check may come from the verified-token
/// cache; the session check never does: a logout, a ban, a refresh-token reuse
/// or an admin's password change refuses the very next request.
public struct AuthMiddleware: RouterMiddleware {
    public typealias Context = MallRequestContext
    let tokens: TokenService
    let engine: MallEngine
    let kind: TokenService.Kind
    /// Lets a request without an `Authorization` header through anonymously (the storefront);
    /// a header that is there must still hold a valid token.
    let optional: Bool
    /// `Bearer ` and a JWT: this server's are about 300 bytes.
    static let headerBytesMax = 4096

    enum Authorization: Equatable {
        case absent
        case one(String)
        /// Two or more fields: refused, as the value `headers[.authorization]` joins them into is no token.
        case several
    }

    /// The `Authorization` field as sent. `headers[.authorization]` would join every field of the
    /// name into a new String: a copy of the ~300-byte token per request.
    static func authorization(in headers: HTTPFields) -> Authorization {
        var found = Authorization.absent
        for field in headers where field.name == .authorization {
            guard case .absent = found else { return .several }
            found = .one(field.value)
        }
        return found
    }

    public init(tokens: TokenService, engine: MallEngine, kind: TokenService.Kind, optional: Bool = false) {
        // Called only by `buildRouter`, with the literals .user and .admin: no input reaches it.
        precondition(kind == .user || kind == .admin, "refresh tokens never authorize a request")
        self.tokens = tokens
        self.engine = engine
        self.kind = kind
        self.optional = optional
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let authorization = Self.authorization(in: request.headers)
        if optional, case .absent = authorization { return try await next(request, context) }
        // A token longer than any this server issues is refused before it is decoded.
        guard case .one(let header) = authorization, header.hasPrefix("Bearer "),
              header.utf8.count <= Self.headerBytesMax,
              let verified = await tokens.verify(String(header.dropFirst(7)), expecting: kind)
        else { throw APIError(.unauthorized) }
        let subject: SessionSubject = kind == .admin ? .admin(verified.subjectID) : .user(verified.subjectID)
        guard engine.sessionIsLive(subject, familyID: verified.familyID) else {
            throw APIError(.sessionEnded)
        }
        var context = context
        context.sessionFamilyID = verified.familyID
        switch kind {
        case .user: context.principal = .user(id: verified.subjectID)
        case .admin:
            let admin = engine.settings.admin(id: verified.subjectID)
            context.principal = .admin(id: verified.subjectID, username: admin?.username ?? verified.name ?? "",
                                       role: admin?.role ?? verified.role ?? "")
        case .refresh, .adminRefresh: throw APIError(.unauthorized)
        }
        return try await next(request, context)
    }
}
