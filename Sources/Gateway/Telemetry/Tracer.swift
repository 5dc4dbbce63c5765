import Glibc
import HTTPServer
import HTTPTypes

/// The daemon's tracing: the sampler and the exporter, and where each request's trace begins.
/// Exists only when an OTLP endpoint is configured (and `OTEL_SDK_DISABLED` is not true):
/// with tracing off there is no tracer, and a request pays one nil check.
public final class Tracer: Sendable {
    public let sampler: Sampler
    public let exporter: SpanExporter

    public init(sampler: Sampler, exporter: SpanExporter) {
        self.sampler = sampler
        self.exporter = exporter
    }

    /// The tracer the configuration asks for, its exporter not yet started; nil when tracing is off.
    public convenience init?(_ telemetry: GatewayConfiguration.Telemetry, version: String = "") {
        guard !telemetry.disabled, let url = telemetry.tracesURL else { return nil }
        var settings = SpanExporter.Settings(url: url)
        settings.headers = HTTPHeaders(telemetry.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        settings.headers.add("Content-Type", "application/json")
        settings.maxQueueSize = telemetry.maxQueueSize
        settings.maxBatchSize = min(telemetry.maxBatchSize, telemetry.maxQueueSize)
        settings.scheduleDelaySeconds = telemetry.scheduleDelaySeconds
        settings.exportTimeoutSeconds = telemetry.exportTimeoutSeconds
        let encoder = OTLPJSONEncoder(
            resource: [.string("service.name", telemetry.serviceName)], scopeName: "switchboard",
            scopeVersion: version)
        self.init(sampler: telemetry.sampler, exporter: SpanExporter(settings: settings, encoder: encoder))
    }

    /// Starts the request's trace from the client's `traceparent`/`tracestate` (a malformed one
    /// is ignored: a new trace starts). nil when the request is not sampled and the client sent
    /// no context to pass on; a trace that only passes the client's context on when not sampled.
    func begin(_ request: HTTPRequest) -> RequestTrace? {
        let headers = request.headers
        var parent: TraceContext?
        if let traceparent = headers["traceparent"], headers.values("traceparent").count == 1 {
            let states = headers.values("tracestate")
            parent = TraceContext.parse(
                traceparent: traceparent, tracestate: states.isEmpty ? nil : states.joined(separator: ","))
        }
        var ids = SpanIDGenerator()
        let traceId = parent?.traceId ?? ids.traceId()
        guard sampler.shouldSample(traceId, parent: parent) else {
            return parent.map { RequestTrace(passingOn: $0) }
        }
        return RequestTrace(
            exporter: exporter, traceId: traceId, parent: parent, ids: ids, method: request.method, route: request.path,
            requestId: request.requestId)
    }

    /// Flushes what is queued (at shutdown), waiting at most `timeoutSeconds`.
    public func shutdown(timeoutSeconds: Double) { exporter.shutdown(timeoutSeconds: timeoutSeconds) }

    /// The exporter's counters in the Prometheus text format (for `/metrics`).
    public func renderMetrics() -> String {
        Self.renderMetrics(dropped: exporter.droppedSpans, failures: exporter.exportFailures)
    }

    /// The same families at zero when tracing is off, so dashboards find them either way.
    public static func renderMetrics(dropped: UInt64 = 0, failures: UInt64 = 0) -> String {
        """
        # HELP switchboard_trace_spans_dropped_total Spans not exported because the export queue was full.
        # TYPE switchboard_trace_spans_dropped_total counter
        switchboard_trace_spans_dropped_total \(dropped)
        # HELP switchboard_trace_export_failures_total Span batches the OTLP receiver did not take.
        # TYPE switchboard_trace_export_failures_total counter
        switchboard_trace_export_failures_total \(failures)

        """
    }

    /// Nanoseconds since the Unix epoch.
    static func unixNanos() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(max(0, ts.tv_sec)) &* 1_000_000_000 &+ UInt64(max(0, ts.tv_nsec))
    }
}
