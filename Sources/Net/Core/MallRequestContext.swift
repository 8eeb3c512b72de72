import Hummingbird
import NIOCore

/// Who is calling, as established by the auth middleware of the route group.
public enum Principal: Sendable, Equatable {
    case user(id: UInt64)
    case admin(id: UInt64, username: String, role: String)
}

public struct MallRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The session (refresh-token family) of the access token, once authenticated.
    public var sessionFamilyID: UInt64?
    /// The connection's peer: the client, or the proxy in front of it (see
    /// `ClientAddressResolver`). Nil for a Unix socket and in router tests.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The peer's IP address for the audit log and an admin's last login ("" when none).
    public var clientAddress: String? { remoteAddress?.ipAddress }

    /// Request bodies above this are refused with 413: no JSON this API takes comes near it.
    public var maxUploadSize: Int { 1 << 20 }

    public func requireUserID() throws -> UInt64 {
        guard case .user(let id) = principal else { throw APIError(.unauthorized) }
        return id
    }
}
