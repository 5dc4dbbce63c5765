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
    /// What is degraded is named under `degraded`. A degraded store (PostgreSQL unreachable:
    /// usage spooled, cached keys) stays ready, as requests keep flowing; so do shared limits out
    /// of reach under fail_open, while under fail_closed (keyed requests refused until Redis is
    /// back) the daemon is not ready (503, `status: degraded`).
    func ready(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if state.isDraining {
            writer.respondJSON(status: 503, body: Array(#"{"status":"draining"}"#.utf8))
            return
        }
        let health = state.storeHealth?()
        var degraded = health?.degraded ?? []
        var closed = false
        if let shared = state.sharedLimits, shared.isDegraded {
            degraded.append(shared.degradedReason)
            closed = shared.settings.onUnavailable == .failClosed
        }
        guard health != nil || !degraded.isEmpty else {
            writer.respondJSON(status: 200, body: Array(#"{"status":"ready"}"#.utf8))
            return
        }
        var fields: [(String, JSONValue)] = [
            ("status", .string(closed ? "degraded" : "ready")), ("degraded", .array(degraded.map { .string($0) })),
        ]
        if let health {
            let store = JSONObject([
                ("kind", .string(health.kind)), ("usage_reachable", .bool(health.usageReachable)),
                ("spooled_usage_rows", .int(health.spooledUsageRows)),
                ("key_listener_connected", .bool(health.keyListenerConnected)),
            ])
            fields.append(("store", .object(store)))
        }
        writer.respondJSON(
            status: closed ? 503 : 200, body: Array(JSONValue.object(JSONObject(fields)).serialized().utf8))
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
        if let shared = state.sharedLimits {
            text += "# HELP switchboard_limits_redis_up 1 while every event loop's Redis connection is up.\n"
            text +=
                "# TYPE switchboard_limits_redis_up gauge\nswitchboard_limits_redis_up \(shared.isDegraded ? 0 : 1)\n"
            text +=
                "# HELP switchboard_limits_redis_unavailable_total Key admissions decided without Redis (local"
                + " limits under fail_open, 503 under fail_closed).\n"
            text += "# TYPE switchboard_limits_redis_unavailable_total counter\n"
            text +=
                "switchboard_limits_redis_unavailable_total{mode=\"\(shared.settings.onUnavailable.rawValue)\"} "
                + "\(shared.unavailableTotal)\n"
        }
        writer.respond(status: 200, headers: headers, body: Array(text.utf8))
    }
}
