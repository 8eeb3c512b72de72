import Engine
import Hummingbird

/// The permission every `/admin/v1` route needs (`module:action`), by method
/// and route path as the router reports it. A route missing here answers 403
/// (fail closed), and a test walks the router so none can be added without one.
public enum AdminPermissions {
    public static let byRoute: [String: String] = [
        "POST /admin/v1/auth/logout": "",
        "GET /admin/v1/auth/me": "",
        "PUT /admin/v1/auth/password": "",
        "GET /admin/v1/products": "product:read",
        "POST /admin/v1/products": "product:write",
        "GET /admin/v1/products/{id}": "product:read",
        "PUT /admin/v1/products/{id}": "product:write",
        "DELETE /admin/v1/products/{id}": "product:write",
        "POST /admin/v1/products/shelf": "product:write",
        "GET /admin/v1/categories": "product:read",
        "POST /admin/v1/categories": "product:write",
        "GET /admin/v1/categories/{id}": "product:read",
        "PUT /admin/v1/categories/{id}": "product:write",
        "DELETE /admin/v1/categories/{id}": "product:write",
        "POST /admin/v1/skus/{id}/stock": "product:write",
        "GET /admin/v1/stock/low": "product:read",
        "GET /admin/v1/search/settings": "product:read",
        "PUT /admin/v1/search/settings": "product:write",
        "GET /admin/v1/search/hot": "product:read",
        "POST /admin/v1/seckill/activities/{id}/items/{skuId}/stock": "marketing:write",
        "DELETE /admin/v1/seckill/activities/{id}/items/{skuId}": "marketing:write",
        "POST /admin/v1/uploads": "product:write",
        "POST /admin/v1/uploads/presign": "product:write",
        "POST /admin/v1/seckill/activities": "marketing:write",
        "GET /admin/v1/seckill/activities/{id}": "marketing:read",
        "GET /admin/v1/payments/exceptions": "payment:read",
        "GET /admin/v1/orders": "order:read",
        "GET /admin/v1/orders/{id}": "order:read",
        "GET /admin/v1/orders/export": "order:export",
        "GET /admin/v1/stock/logs": "product:read",
        "GET /admin/v1/stats/overview": "stats:read",
        "GET /admin/v1/stats/sales": "stats:read",
        "GET /admin/v1/stats/top-products": "stats:read",
        "GET /admin/v1/stats/seckill/{activityId}": "stats:read",
        "GET /admin/v1/admins": "admin:read",
        "POST /admin/v1/admins": "admin:write",
        "GET /admin/v1/admins/{id}": "admin:read",
        "PATCH /admin/v1/admins/{id}": "admin:write",
        "DELETE /admin/v1/admins/{id}": "admin:write",
        "GET /admin/v1/audit-logs": "audit:read",
        "GET /admin/v1/users": "user:read",
        "GET /admin/v1/users/{id}": "user:read",
        "POST /admin/v1/users/{id}/ban": "user:write",
        "POST /admin/v1/users/{id}/unban": "user:write",
    ]

    /// Routes of the admin surface that need no token at all.
    public static let publicRoutes: Set<String> = ["POST /admin/v1/auth/login", "POST /admin/v1/auth/refresh"]

    /// The key of a route: `METHOD /path/{param}`, the router's path with `:param` written `{param}`.
    public static func key(method: HTTPRequest.Method, path: String) -> String {
        let normalized = path.split(separator: "/", omittingEmptySubsequences: true).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }
        return "\(method.rawValue) /" + normalized.joined(separator: "/")
    }
}

/// Refuses an admin request whose account lacks the route's permission. Runs
/// after `AuthMiddleware`, on the admin group, where the route is matched.
struct PermissionMiddleware: RouterMiddleware {
    typealias Context = MallRequestContext
    let engine: MallEngine

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard case .admin(let adminID, _, _) = context.principal else { throw APIError(.unauthorized) }
        let route = AdminPermissions.key(method: request.method, path: context.endpointPath ?? request.uri.path)
        guard let permission = AdminPermissions.byRoute[route] else {
            throw APIError(.forbidden, "\(route) declares no permission; refused")
        }
        if !permission.isEmpty {
            guard let admin = engine.settings.admin(id: adminID), admin.effectivePermissions.contains(permission) else {
                throw APIError(.forbidden, "this account lacks the permission \(permission)")
            }
        }
        return try await next(request, context)
    }
}

/// Records every back-office write (not GET/HEAD) in the audit log: who, which
/// route, on what, from which address and with which result code. A write is
/// answered only after its audit entry is durable.
struct AuditMiddleware: RouterMiddleware {
    typealias Context = MallRequestContext
    let engine: MallEngine

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head,
              case .admin(let adminID, let username, _) = context.principal else {
            return try await next(request, context)
        }
        let action = AdminPermissions.key(method: request.method, path: context.endpointPath ?? request.uri.path)
        let ip = context.clientAddress ?? ""
        do {
            let response = try await next(request, context)
            try await engine.recordAudit(adminID: adminID, username: username, action: action, target: request.uri.path,
                                         ip: ip, resultCode: Int32(response.status.code))
            return response
        } catch {
            let code = (error as? APIError)?.code.rawValue ?? APICode.internalError.rawValue
            try? await engine.recordAudit(adminID: adminID, username: username, action: action, target: request.uri.path,
                                          ip: ip, resultCode: Int32(clamping: code))
            throw error
        }
    }
}
