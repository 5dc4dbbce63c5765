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
        for name in catalog.aliases.keys.sorted() {
            let alias = catalog.aliases[name]!
            data.append(
                entry(
                    id: name, provider: alias.provider, model: alias.model,
                    enabled: catalog.enabledProviders.contains(alias.provider), alias: true,
                    fallbacks: alias.fallbacks))
            seen.insert(name)
        }
        for name in catalog.aliases.keys.sorted() {
            let alias = catalog.aliases[name]!
            let direct = "\(alias.provider)/\(alias.model)"
            guard !seen.contains(direct) else { continue }
            seen.insert(direct)
            data.append(
                entry(
                    id: direct, provider: alias.provider, model: alias.model,
                    enabled: catalog.enabledProviders.contains(alias.provider), alias: false, fallbacks: []))
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
