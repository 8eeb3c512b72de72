import PostgresNIO

/// Why a report query refused or failed. Net maps each case to one API code:
/// `invalidArgument` and `invalidCursor` to 400, `databaseUnavailable` to 503,
/// `unexpectedResult` to 500.
public enum ReportError: Error, Sendable, CustomStringConvertible {
    /// An argument broke a rule: the field (as the API names it) and the rule.
    case invalidArgument(field: String, rule: String)
    /// The cursor is not one this server issued, or was issued for another sort.
    case invalidCursor(reason: String)
    /// PostgreSQL could not be reached; the cause is for the log only.
    case databaseUnavailable(underlying: any Error)
    /// A statement returned rows it cannot return: a bug here, reported rather than crashing the server.
    case unexpectedResult(String)

    public var description: String {
        switch self {
        case .invalidArgument(let field, let rule): "\(field): \(rule)"
        case .invalidCursor(let reason): "cursor: \(reason)"
        case .databaseUnavailable(let underlying): "archive database unavailable: \(String(reflecting: underlying))"
        case .unexpectedResult(let what): "unexpected result: \(what)"
        }
    }

    /// Runs `body`, turning a lost or refused connection into `databaseUnavailable`.
    /// SQL errors stay as they are: they are bugs, not outages.
    static func mappingConnectionErrors<Result: Sendable>(
        _ body: () async throws -> Result
    ) async throws -> Result {
        do {
            return try await body()
        } catch let error as PSQLError {
            guard isConnectionLoss(error.code) else { throw error }
            throw ReportError.databaseUnavailable(underlying: error)
        } catch let error as ReportError {
            throw error
        } catch let error as PostgresDecodingError {
            throw error
        } catch let error as DecodingError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // What remains comes from the connection pool itself (postgres-nio does not
            // re-export its type): the circuit breaker tripped after failed connects,
            // or the pool shut down. Both mean the database cannot be reached.
            throw ReportError.databaseUnavailable(underlying: error)
        }
    }

    static func isConnectionLoss(_ code: PSQLError.Code) -> Bool {
        [.connectionError, .serverClosedConnection, .clientClosedConnection, .poolClosed, .uncleanShutdown,
         .sslUnsupported, .failedToAddSSLHandler, .authMechanismRequiresPassword, .unsupportedAuthMechanism,
         .saslError].contains(code)
    }
}
