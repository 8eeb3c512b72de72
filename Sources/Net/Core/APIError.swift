import Engine
import HTTPTypes
import Hummingbird

/// An error the API reports: one code, a message, and for invalid input the
/// fields at fault. The error middleware turns it into the envelope.
public struct APIError: Error, Sendable, CustomStringConvertible {
    public var code: APICode
    public var message: String
    public var fieldErrors: [FieldError]
    /// Extra response headers, e.g. `Allow` on a 405.
    public var headers: HTTPFields

    public struct FieldError: Codable, Sendable, Equatable {
        public var field: String
        public var rule: String
    }

    public init(_ code: APICode, _ message: String? = nil, fieldErrors: [FieldError] = [], headers: HTTPFields = [:]) {
        self.code = code
        self.message = message ?? code.message
        self.fieldErrors = fieldErrors
        self.headers = headers
    }

    public static func invalid(_ field: String, _ rule: String) -> APIError {
        APIError(.invalidInput, "\(field): \(rule)", fieldErrors: [FieldError(field: field, rule: rule)])
    }

    public var description: String { "\(code.rawValue) \(message)" }
}

extension APIError {
    /// The one place engine errors become API codes.
    init(_ error: EngineError) {
        switch error {
        case .notFound(let what): self.init(.notFound, "\(what) not found")
        case .invalid(let field, let reason): self = .invalid(field, reason)
        case .conflict(let reason): self.init(.conflict, reason)
        case .soldOut: self.init(.soldOut)
        case .limitReached(let limit): self.init(.limitReached, "purchase limit reached: at most \(limit) per user")
        case .activityNotActive: self.init(.activityNotActive)
        case .orderStateForbids(let status, let action):
            self.init(.orderStateForbids, "an order in status \(status.rawValue) cannot be \(action)")
        case .orderBusy: self.init(.orderBusy)
        case .overloaded: self.init(.unavailable, "the server is at capacity; retry shortly")
        case .unavailable: self.init(.unavailable)
        case .unauthorized(let reason): self.init(.unauthorized, reason)
        }
    }
}
