import Hummingbird

/// Who is calling, as established by the auth middleware of the route group.
public enum Principal: Sendable, Equatable {
    case user(id: UInt64)
    case admin(id: UInt64, username: String, role: String)
}

public struct MallRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var principal: Principal?
    /// The session (refresh-token family) of the access token, once authenticated.
    public var sessionFamilyID: UInt64?
    /// The peer's IP address, when the channel has one.
    public var clientAddress: String?

    public init(source: Source) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies above this are refused with 413: no JSON this API takes comes near it.
    public var maxUploadSize: Int { 1 << 20 }

    public func requireUserID() throws -> UInt64 {
        guard case .user(let id) = principal else { throw APIError(.unauthorized) }
        return id
    }
}
