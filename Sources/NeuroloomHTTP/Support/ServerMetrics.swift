import CoreMetrics
import Metrics
import Prometheus
import Synchronization

/// The server's metrics, through swift-metrics with a Prometheus factory owned by this server
/// (not the process-wide bootstrap, so several servers — as in tests — never collide).
final class ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory
    let authenticationFailures: Metrics.Counter
    let rateLimited: Metrics.Counter
    let openPartitions: Metrics.Gauge

    init() {
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
            .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5),
        ]
        self.factory = factory
        authenticationFailures = Metrics.Counter(label: "neuroloom_auth_failures_total", factory: factory)
        rateLimited = Metrics.Counter(label: "neuroloom_rate_limited_total", factory: factory)
        openPartitions = Metrics.Gauge(label: "neuroloom_open_lmdb_environments", factory: factory)
    }

    private struct RequestSeries: Hashable {
        let route: String
        let method: String
        let status: Int
    }

    /// Handlers per (route, method, status), made once: creating them goes through the registry's lock
    /// and label hashing, too slow to repeat on every request.
    private let series = Mutex<[RequestSeries: (requests: Metrics.Counter, duration: Metrics.Timer)]>([:])

    /// Counts a request and records its latency, by route template, method and status.
    func record(route: String, method: String, status: Int, duration: Duration) {
        let key = RequestSeries(route: route, method: method, status: status)
        let handlers = series.withLock { series in
            if let existing = series[key] { return existing }
            let made = (
                requests: Metrics.Counter(label: "neuroloom_http_requests_total",
                                          dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory),
                duration: Metrics.Timer(label: "neuroloom_http_request_duration_seconds",
                                        dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
            )
            series[key] = made
            return made
        }
        handlers.requests.increment()
        handlers.duration.recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8192)
        registry.emit(into: &bytes)
        return bytes
    }
}
