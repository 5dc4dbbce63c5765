import HTTPServer

/// `/healthz`, `/readyz` and `/metrics`: what systemd, load balancers and Prometheus poll.
struct OperationalEndpoints: Sendable {
    let state: GatewayState
    /// Reads the server's live gauges; set once the server exists.
    let gauges: @Sendable () -> (openConnections: Int, inFlight: Int)

    func health(_ request: HTTPRequest, _ writer: ResponseWriter) {
        writer.respondJSON(status: 200, body: Array(#"{"status":"ok"}"#.utf8))
    }

    /// Not ready while draining, so a load balancer stops sending new work during shutdown.
    func ready(_ request: HTTPRequest, _ writer: ResponseWriter) {
        if state.isDraining {
            writer.respondJSON(status: 503, body: Array(#"{"status":"draining"}"#.utf8))
        } else {
            writer.respondJSON(status: 200, body: Array(#"{"status":"ready"}"#.utf8))
        }
    }

    func metrics(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let (open, inFlight) = gauges()
        var headers = HTTPHeaders()
        headers.add("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        var text = state.metrics.render(openConnections: open, inFlightRequests: inFlight)
        let loops = state.loops.counts
        text += "# HELP switchboard_loops Chat loops (/v1/loops): live ones, and ended ones whose transcript is kept.\n"
        text += "# TYPE switchboard_loops gauge\n"
        text += "switchboard_loops{state=\"live\"} \(loops.live)\n"
        text += "switchboard_loops{state=\"ended\"} \(loops.ended)\n"
        writer.respond(status: 200, headers: headers, body: Array(text.utf8))
    }
}
