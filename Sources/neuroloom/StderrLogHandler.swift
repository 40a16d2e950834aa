import Logging

/// swift-log's `StreamLogHandler` on stderr, except that logger metadata is only stored when it is
/// set and formatted when a line is actually written. `StreamLogHandler` formats it on every set,
/// and Hummingbird sets a request id on every request's logger, so the server paid for formatting
/// text that its default level (`info`; access lines are `debug`) never prints. Output is the same.
struct StderrLogHandler: LogHandler {
    /// Writes the lines; its own metadata stays empty.
    private var output: StreamLogHandler
    var metadata: Logger.Metadata = [:]

    init(label: String, level: Logger.Level) {
        output = StreamLogHandler.standardError(label: label)
        output.logLevel = level
    }

    var logLevel: Logger.Level {
        get { output.logLevel }
        set { output.logLevel = newValue }
    }

    var metadataProvider: Logger.MetadataProvider? {
        get { output.metadataProvider }
        set { output.metadataProvider = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        if !metadata.isEmpty {
            // The call's own metadata wins over the logger's, as in StreamLogHandler.
            event.metadata = metadata.merging(event.metadata ?? [:]) { _, explicit in explicit }
        }
        output.log(event: event)
    }
}
