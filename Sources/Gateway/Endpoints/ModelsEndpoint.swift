import ChatModel
import HTTPServer
import JSON

/// `GET /v1/models`: configured aliases and the "provider/model" names they point at, in
/// OpenAI's list shape plus `provider` (SPEC §2).
struct ModelsEndpoint: Sendable {
    let state: GatewayState

    func handle(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let snapshot = state.snapshot
        do { _ = try state.authenticator(snapshot)?.authenticate(request) } catch { writer.respondError(error); return }
        let catalog = snapshot.catalog
        var data: [JSONValue] = []
        var seen = Set<String>()
        let now = catalog.now()
        let nowUnix = Double(WallClock.unixMillis()) / 1000
        for name in catalog.aliases.keys.sorted() {
            let alias = catalog.aliases[name]!
            guard
                case .object(var object) = entry(
                    id: name, provider: alias.provider, model: alias.model,
                    enabled: alias.deployments.allSatisfy { catalog.enabledProviders.contains($0.provider) },
                    alias: true,
                    fallbacks: alias.fallbacks)
            else { continue }
            object["strategy"] = .string(alias.strategy.rawValue)
            object["deployments"] = .array(
                alias.deployments.map { Self.deployment($0, now: now, nowUnix: nowUnix) })
            data.append(.object(object))
            seen.insert(name)
        }
        for name in catalog.aliases.keys.sorted() {
            for deployment in catalog.aliases[name]!.deployments {
                let direct = "\(deployment.provider)/\(deployment.model)"
                guard !seen.contains(direct) else { continue }
                seen.insert(direct)
                data.append(
                    entry(
                        id: direct, provider: deployment.provider, model: deployment.model,
                        enabled: catalog.enabledProviders.contains(deployment.provider), alias: false,
                        fallbacks: []))
            }
        }
        var body: [UInt8] = []
        JSONValue.object(
            JSONObject([
                ("object", "list"),
                ("data", .array(data)),
                (
                    "providers",
                    .array(
                        Set(ModelCatalog.knownProviders).union(catalog.enabledProviders).sorted().map { name in
                            .object(
                                JSONObject([
                                    ("name", .string(name)),
                                    ("enabled", .bool(catalog.enabledProviders.contains(name))),
                                ]))
                        })
                ),
            ])
        ).write(into: &body)
        writer.respondJSON(status: 200, body: body)
    }

    /// A deployment's live view: where it goes, its weight, its health (`until` in Unix
    /// seconds when cooling or open), its in-flight count and latency EWMA.
    static func deployment(_ d: Deployment, now: Double, nowUnix: Double) -> JSONValue {
        let health = d.snapshot
        var object = JSONObject([
            ("provider", .string(d.provider)), ("model", .string(d.model)), ("weight", .number(Self.number(d.weight))),
        ])
        if let key = d.keyName { object["key"] = .string(key) }
        var until: Double?
        switch health.state {
        case .healthy: object["state"] = "healthy"
        case .cooling(let end, _):
            // Lazily moved on: a cooling whose time is up is healthy already.
            if end > now { until = end }
            object["state"] = end > now ? "cooling" : "healthy"
        case .open(let end):
            object["state"] = "open"
            until = max(end, now)
        case .halfOpen(let since):
            object["state"] = "open"
            until = since.map { max($0 + health.policy.openSeconds, now) } ?? now
        }
        if let until { object["until"] = .number(Self.number(((nowUnix + until - now) * 1000).rounded() / 1000)) }
        object["in_flight"] = .number(String(max(0, d.inFlight)))
        object["latency_ms"] = health.latencySeconds.map { .number(Self.number(($0 * 1e6).rounded() / 1000)) } ?? .null
        return .object(object)
    }

    /// A finite number as JSON text (whole numbers without a fraction).
    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    private func entry(
        id: String, provider: String, model: String, enabled: Bool, alias: Bool,
        fallbacks: [String]
    ) -> JSONValue {
        var object = JSONObject([
            ("id", .string(id)), ("object", "model"), ("created", 0), ("owned_by", .string(provider)),
            ("provider", .string(provider)), ("model", .string(model)), ("alias", .bool(alias)),
            ("enabled", .bool(enabled)),
        ])
        if !fallbacks.isEmpty { object["fallbacks"] = .array(fallbacks.map { .string($0) }) }
        return .object(object)
    }
}
