import ChatModel
import HTTPServer
import JSON

/// `GET /admin/activity` and `GET /admin/errors` (issue 18): what is happening now, for the
/// dashboard and any client with the admin key. Both read memory only: they answer on the loop.
struct AdminActivityEndpoint: Sendable {
    let state: GatewayState
    /// The server's live gauges: open connections and requests in flight.
    let gauges: @Sendable () -> (openConnections: Int, inFlight: Int)

    /// Requests and upstream attempts in flight, and each provider's recent health.
    func activity(_ request: HTTPRequest, _ writer: ResponseWriter) {
        guard authorised(request, writer) else { return }
        if let (name, _) = request.queryItems().first {
            writer.respondError(.invalidRequest("\(name): unknown query parameter (none are taken)", param: name))
            return
        }
        let (open, inFlight) = gauges()
        let providers = ProviderActivity.shared.providers
        var streams = 0
        var list: [JSONValue] = []
        for name in providers.keys.sorted() {
            let p = providers[name]!
            streams += p.inFlight
            var o = JSONObject([
                ("provider", .string(name)), ("in_flight", .int(p.inFlight)),
                ("consecutive_failures", .int(p.consecutiveFailures)),
                ("state", .string(p.consecutiveFailures > 0 ? "failing" : "ok")),
                ("limiter_waits", .int(Int(clamping: p.limiterWaits))),
            ])
            o["last_success"] = p.lastSuccessMillis.map { .int(Int($0 / 1000)) } ?? .null
            o["last_failure"] = p.lastFailureMillis.map { .int(Int($0 / 1000)) } ?? .null
            list.append(.object(o))
        }
        let loops = state.loops.counts
        respond(
            writer,
            JSONObject([
                ("object", "activity"),
                // This request is in flight too: it is not counted.
                ("in_flight_requests", .int(max(0, inFlight - 1))),
                ("in_flight_streams", .int(streams)),
                ("open_connections", .int(open)),
                ("live_loops", .int(loops.live)),
                ("providers", .array(list)),
            ]))
    }

    /// The last chat requests that ended in an error, newest first (`limit`: 1–100, default 20).
    func errors(_ request: HTTPRequest, _ writer: ResponseWriter) {
        guard authorised(request, writer) else { return }
        var limit = 20
        for (name, value) in request.queryItems() {
            guard name == "limit" else {
                writer.respondError(.invalidRequest("\(name): unknown query parameter (limit)", param: name))
                return
            }
            // At most three digits: anything longer is out of range before it is a number.
            guard value.utf8.count <= 3, let n = Int(value), (1...RecentErrors.capacity).contains(n) else {
                writer.respondError(
                    .invalidRequest(
                        "limit: expected an integer from 1 to \(RecentErrors.capacity), got \"\(value.prefix(20))\"",
                        param: "limit"))
                return
            }
            limit = n
        }
        let data: [JSONValue] = state.recentErrors.latest(limit).map { e in
            var o = JSONObject([
                ("time", .int(Int(e.timeMillis / 1000))), ("request_id", .string(e.requestId)),
                ("model", .string(e.model)), ("status", .int(e.status)), ("type", .string(e.type)),
                ("message", .string(e.message)),
            ])
            o["key_id"] = e.keyId.map { .string($0) } ?? .null
            o["provider"] = e.provider.map { .string($0) } ?? .null
            return .object(o)
        }
        respond(writer, JSONObject([("object", "list"), ("data", .array(data))]))
    }

    private func authorised(_ request: HTTPRequest, _ writer: ResponseWriter) -> Bool {
        guard let authenticator = state.authenticator(state.snapshot) else {
            writer.respondError(
                GatewayError(status: 403, type: .forbidden, message: "the admin API needs the key store"))
            return false
        }
        do {
            try authenticator.authenticateAdmin(request)
            return true
        } catch {
            writer.respondError(error)
            return false
        }
    }

    private func respond(_ writer: ResponseWriter, _ object: JSONObject) {
        var body: [UInt8] = []
        JSONValue.object(object).write(into: &body)
        writer.respondJSON(status: 200, body: body)
    }
}
