import HTTPServer
import HTTPTypes
import JSON
import Reactor

/// `/healthz`, `/readyz` and `/metrics`: what systemd, load balancers and Prometheus poll.
struct OperationalEndpoints: Sendable {
    let state: GatewayState
    /// Reads the server's live gauges; set once the server exists.
    let gauges: @Sendable () -> (openConnections: Int, inFlight: Int, connectionCap: Int)

    func health(_ request: HTTPRequest, _ writer: ResponseWriter) {
        writer.respondJSON(status: 200, body: Array(#"{"status":"ok"}"#.utf8))
    }

    /// Not ready while draining, so a load balancer stops sending new work during shutdown.
    /// A degraded store (PostgreSQL unreachable: usage spooled, cached keys) stays ready, as
    /// requests keep flowing; the body says what is degraded.
    func ready(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if state.isDraining {
            writer.respondJSON(status: 503, body: Array(#"{"status":"draining"}"#.utf8))
            return
        }
        guard let health = state.storeHealth?() else {
            writer.respondJSON(status: 200, body: Array(#"{"status":"ready"}"#.utf8))
            return
        }
        let store = JSONObject([
            ("kind", .string(health.kind)), ("usage_reachable", .bool(health.usageReachable)),
            ("spooled_usage_rows", .int(health.spooledUsageRows)),
            ("key_listener_connected", .bool(health.keyListenerConnected)),
        ])
        let body = JSONValue.object(
            JSONObject([
                ("status", .string("ready")), ("degraded", .array(health.degraded.map { .string($0) })),
                ("store", .object(store)),
            ]))
        writer.respondJSON(status: 200, body: Array(body.serialized().utf8))
    }

    func metrics(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let (open, inFlight, cap) = gauges()
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        var text = state.metrics.render(openConnections: open, inFlightRequests: inFlight)
        text += DeploymentMetrics.render(state.snapshot.catalog)
        let loops = state.loops.counts
        text += "# HELP switchboard_loops Chat loops (/v1/loops): live ones, and ended ones whose transcript is kept.\n"
        text += "# TYPE switchboard_loops gauge\n"
        text += "switchboard_loops{state=\"live\"} \(loops.live)\n"
        text += "switchboard_loops{state=\"ended\"} \(loops.ended)\n"
        text +=
            "# HELP switchboard_connection_cap Client connections accepted at most (configured, or what the"
            + " open-file limit allows at two descriptors per stream).\n"
        text += "# TYPE switchboard_connection_cap gauge\nswitchboard_connection_cap \(cap)\n"
        text +=
            "# HELP switchboard_descriptor_exhaustion_total Times the process ran out of file descriptors"
            + " (EMFILE/ENFILE) accepting a client or opening an upstream socket.\n"
        text += "# TYPE switchboard_descriptor_exhaustion_total counter\n"
        text += "switchboard_descriptor_exhaustion_total \(DescriptorExhaustion.shared.total)\n"
        text += state.tracer?.renderMetrics() ?? Tracer.renderMetrics()
        writer.respond(status: 200, headers: headers, body: Array(text.utf8))
    }
}
