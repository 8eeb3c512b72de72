import Logging

/// `StreamLogHandler`'s lines on standard error, but metadata is kept as given
/// until a line is written. `StreamLogHandler` formats its metadata whenever
/// it is set, and Hummingbird sets a request id on every request's logger, so
/// the server formatted an id on every request for lines it almost never
/// writes (perf: about 2 % of its CPU per purchase, see docs/benchmarks.md).
///
/// What a request never changes sits behind one reference, so the handler (17 bytes) fits
/// an existential's three inline words: `Logger` keeps its handler as `any LogHandler`, and
/// setting the request id on a boxed handler copied it into a fresh heap box per request.
struct LazyStreamLogHandler: LogHandler {
    private final class Fixed: Sendable {
        let label: String
        let metadataProvider: Logger.MetadataProvider?

        init(label: String, metadataProvider: Logger.MetadataProvider?) {
            (self.label, self.metadataProvider) = (label, metadataProvider)
        }
    }

    private var fixed: Fixed
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    var label: String { fixed.label }

    var metadataProvider: Logger.MetadataProvider? {
        get { fixed.metadataProvider }
        set { fixed = Fixed(label: fixed.label, metadataProvider: newValue) }
    }

    init(label: String, metadataProvider: Logger.MetadataProvider?) {
        fixed = Fixed(label: label, metadataProvider: metadataProvider)
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var handler = StreamLogHandler.standardError(label: label, metadataProvider: metadataProvider)
        handler.logLevel = logLevel
        handler.metadata = metadata
        handler.log(event: event)
    }
}
