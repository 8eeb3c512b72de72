import Engine
import HTTPTypes
import Hummingbird
import NIOCore
import Logging

/// Maps every error to the envelope in one place, so handlers never build
/// error bodies. A 500 shows a generic message and the request id; the cause
/// goes to the log only (no paths, SQL or keys reach the client).
public struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    public init() {}

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error, requestID: context.id, logger: context.logger)
            return try Envelope<ErrorDetail>(error: apiError).response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error, requestID: String, logger: Logger) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as EngineError:
            let apiError = APIError(error)
            if apiError.code == .unavailable { logger.error("engine unavailable", metadata: ["error": "\(error)"]) }
            return apiError
        case let error as DecodingError:
            return APIError.invalid(Self.fieldPath(of: error), Self.rule(of: error))
        case let error as HTTPError:
            return Self.apiError(for: error)
        case is NIOTooManyBytesError:
            // A body over the upload limit, found while collecting it.
            return APIError(.payloadTooLarge)
        default:
            logger.error("request failed", metadata: ["error": "\(error)", "requestId": "\(requestID)"])
            return APIError(.internalError, "server error (request \(requestID))")
        }
    }

    private static func apiError(for error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: APIError(.notFound, "no such route")
        case .methodNotAllowed: APIError(.methodNotAllowed)
        case .contentTooLarge: APIError(.payloadTooLarge)
        case .unauthorized: APIError(.unauthorized)
        case .badRequest: APIError(.invalidInput, error.body ?? "invalid request body")
        default: error.status.code >= 500 ? APIError(.internalError) : APIError(.invalidInput, error.body ?? "invalid request")
        }
    }

    private static func fieldPath(of error: DecodingError) -> String {
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            FieldPath.string(context.codingPath)
        case .keyNotFound(let key, let context): FieldPath.string(context.codingPath + [key])
        @unknown default: "body"
        }
    }

    private static func rule(of error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, _): "must be \(jsonName(of: type))"
        case .valueNotFound: "is required"
        case .keyNotFound: "is required"
        case .dataCorrupted(let context):
            context.codingPath.isEmpty ? "body must be valid JSON" : "is invalid: \(context.debugDescription)"
        @unknown default: "is invalid"
        }
    }

    /// The JSON kind a Swift type decodes from, in the words of the OpenAPI document.
    private static func jsonName(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int64.Type, is Int.Type, is UInt64.Type: "an integer"
        case is Bool.Type: "true or false"
        case is Double.Type: "a number"
        default:
            String(describing: type).hasPrefix("Array") ? "an array"
                : String(describing: type).hasPrefix("Dictionary") ? "a JSON object" : "of type \(type)"
        }
    }
}
