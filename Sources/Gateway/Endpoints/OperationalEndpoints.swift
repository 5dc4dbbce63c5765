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
    /// Shared limits out of reach are named under `degraded`: still ready with fail_open,
    /// not ready with fail_closed (keyed requests are refused until Redis is back).
    func ready(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if state.isDraining {
            writer.respondJSON(status: 503, body: Array(#"{"status":"draining"}"#.utf8))
        } else if let shared = state.sharedLimits, shared.isDegraded {
            let closed = shared.settings.onUnavailable == .failClosed
            let body = JSONObject([
                ("status", .string(closed ? "degraded" : "ready")),
                ("degraded", .array([.string(shared.degradedReason)])),
            ])
            writer.respondJSON(status: closed ? 503 : 200, body: Array(JSONValue.object(body).serialized().utf8))
        } else {
            writer.respondJSON(status: 200, body: Array(#"{"status":"ready"}"#.utf8))
        }
    }

    func metrics(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let (open, inFlight, cap) = gauges()
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        var text = state.metrics.render(openConnections: open, inFlightRequests: inFlight)
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
