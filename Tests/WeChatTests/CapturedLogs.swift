import InMemoryLogging
import Logging

/// Logs captured per test at trace level (no `LoggingSystem.bootstrap`).
struct CapturedLogs {
    let handler = InMemoryLogHandler()

    func logger(_ label: String) -> Logger {
        let handler = self.handler
        var logger = Logger(label: label) { _ in handler }
        logger.logLevel = .trace
        return logger
    }

    /// Every message and metadata value, for "never logged" checks.
    var text: String {
        handler.entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
    }
}
