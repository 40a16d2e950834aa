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

    /// Counts a request and records its latency, by route template, method and status.
    func record(route: String, method: String, status: Int, duration: Duration) {
        let dimensions = [("route", route), ("method", method), ("status", String(status))]
        Metrics.Counter(label: "neuroloom_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Metrics.Timer(label: "neuroloom_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            .recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }

    /// The Prometheus text exposition.
    func exposition() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8192)
        registry.emit(into: &bytes)
        return bytes
    }
}
