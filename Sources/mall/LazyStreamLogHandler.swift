import Logging

/// `StreamLogHandler`'s lines on standard error, but metadata is kept as given
/// until a line is written. `StreamLogHandler` formats its metadata whenever
/// it is set, and Hummingbird sets a request id on every request's logger, so
/// the server formatted an id on every request for lines it almost never
/// writes (perf: about 2 % of its CPU per purchase, see docs/benchmarks.md).
struct LazyStreamLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .info

    init(label: String, metadataProvider: Logger.MetadataProvider?) {
        self.label = label
        self.metadataProvider = metadataProvider
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
