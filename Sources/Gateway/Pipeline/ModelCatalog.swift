import ChatModel
import Reactor

/// A model the client can name: an alias from the configuration, or "provider/model-id".
public struct ModelRoute: Sendable, Equatable {
    /// The name the client used.
    public var name: String
    public var provider: String
    /// The provider's model id.
    public var model: String
    public var fallbacks: [String]
    /// Which key of the provider's pool the route uses (0 without a pool).
    public var keyIndex = 0
    /// The alias deployment this route is, told how each attempt went; nil for "provider/model".
    public var deployment: Deployment?
    /// The next route is another deployment of the same alias: a failure here moves on at
    /// once (no retry, no queueing) — the other deployment is the better retry.
    public var siblingFollows = false

    public init(
        name: String, provider: String, model: String, fallbacks: [String], keyIndex: Int = 0,
        deployment: Deployment? = nil, siblingFollows: Bool = false
    ) {
        self.name = name
        self.provider = provider
        self.model = model
        self.fallbacks = fallbacks
        self.keyIndex = keyIndex
        self.deployment = deployment
        self.siblingFollows = siblingFollows
    }

    public static func == (a: ModelRoute, b: ModelRoute) -> Bool {
        a.name == b.name && a.provider == b.provider && a.model == b.model && a.fallbacks == b.fallbacks
            && a.keyIndex == b.keyIndex && a.deployment === b.deployment && a.siblingFollows == b.siblingFollows
    }
}

/// Resolves the model names clients send. Aliases win over the "provider/model" form.
public struct ModelCatalog: Sendable {
    /// A configured alias: its deployments, how it spreads over them, and its fallbacks.
    public struct Alias: Sendable {
        public var strategy: RoutingStrategy
        /// At least one.
        public var deployments: [Deployment]
        public var fallbacks: [String]

        public init(strategy: RoutingStrategy = .weighted, deployments: [Deployment], fallbacks: [String] = []) {
            precondition(!deployments.isEmpty, "an alias needs a deployment")
            self.strategy = strategy
            self.deployments = deployments
            self.fallbacks = fallbacks
        }

        /// The one-deployment form.
        public init(provider: String, model: String, fallbacks: [String] = []) {
            self.init(
                deployments: [
                    Deployment(
                        alias: "", provider: provider, model: model, weight: 1, now: ModelCatalog.monotonicSeconds)
                ], fallbacks: fallbacks)
        }

        /// The first deployment's provider and model (the alias's own, in the one-deployment form).
        public var provider: String { deployments[0].provider }
        public var model: String { deployments[0].model }
    }

    public var aliases: [String: Alias] { didSet { index() } }
    /// Providers with credentials, by name.
    public var enabledProviders: Set<String> { didSet { index() } }
    /// Keys in each provider's pool (absent: one).
    public var keyCounts: [String: Int] = [:] { didSet { index() } }
    public static let knownProviders: [String] = ["openai", "anthropic", "gemini"]
    /// The clock health is judged by (monotonic seconds); tests drive their own.
    public var now: @Sendable () -> Double = ModelCatalog.monotonicSeconds

    /// An alias with what every request to it would otherwise work out again.
    struct IndexedAlias {
        var alias: Alias
        /// The first of its deployments' providers that is not configured (the alias is unusable).
        var unconfiguredProvider: String?
    }

    /// The three above, arranged for `target`: one lookup per name a request names.
    private(set) var indexedAliases: [String: IndexedAlias] = [:]
    /// Each enabled provider's number of keys (at least one).
    private(set) var providerKeys: [String: Int] = [:]

    public init(aliases: [String: Alias], enabledProviders: Set<String>) {
        self.aliases = aliases
        self.enabledProviders = enabledProviders
        index()
    }

    private mutating func index() {
        indexedAliases = aliases.mapValues { alias in
            IndexedAlias(
                alias: alias,
                unconfiguredProvider: alias.deployments.first { !enabledProviders.contains($0.provider) }?.provider)
        }
        providerKeys = Dictionary(uniqueKeysWithValues: enabledProviders.map { ($0, max(1, keyCounts[$0] ?? 1)) })
    }

    /// Read afresh: the catalog's circuit breakers are shared by every loop.
    @Sendable public static func monotonicSeconds() -> Double {
        Double(EventLoop.freshMonotonicNanoseconds()) / 1e9
    }

    /// The name's first route (an alias's first deployment), without any choice of deployment.
    public func resolve(_ name: String) throws(GatewayError) -> ModelRoute {
        switch try target(name) {
        case .alias(let alias):
            return ModelRoute(name: name, provider: alias.provider, model: alias.model, fallbacks: alias.fallbacks)
        case .provider(let provider, let model, _):
            return ModelRoute(name: name, provider: provider, model: model, fallbacks: [])
        }
    }

    /// What a model name names.
    enum Target {
        case alias(Alias)
        /// "provider/model" of an enabled provider with `keys` keys.
        case provider(String, model: String, keys: Int)

        /// The fallbacks the name brings (an alias's; none for "provider/model").
        var fallbacks: [String] {
            if case .alias(let alias) = self { return alias.fallbacks }
            return []
        }
    }

    /// The alias or "provider/model" a name is, or the client's error.
    func target(_ name: String) throws(GatewayError) -> Target {
        if let indexed = indexedAliases[name] {
            if let provider = indexed.unconfiguredProvider {
                throw GatewayError(
                    status: 404, type: .notFound,
                    message: "model \"\(name)\" uses provider \(provider), which is not configured",
                    param: "model")
            }
            return .alias(indexed.alias)
        }
        if let parts = Self.split(name), !parts.model.isEmpty {
            let provider = parts.provider
            if let keys = providerKeys[provider] { return .provider(provider, model: parts.model, keys: keys) }
            if Self.knownProviders.contains(provider) {
                throw GatewayError(
                    status: 404, type: .notFound,
                    message:
                        "provider \(provider) is not configured (set its API key, e.g. "
                        + "\(provider.uppercased())_API_KEY)",
                    param: "model")
            }
        }
        throw GatewayError(
            status: 404, type: .notFound,
            message:
                "unknown model \"\(name)\": use a configured alias or \"provider/model-id\" (GET /v1/models lists "
                + "them)",
            param: "model")
    }

    /// "provider/model" at its first slash, on bytes (`String`'s index operations cost more than
    /// the rest of choosing a route).
    private static func split(_ name: String) -> (provider: String, model: String)? {
        var name = name
        return name.withUTF8 { bytes in
            guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            return (
                String(decoding: UnsafeBufferPointer(rebasing: bytes[..<slash]), as: UTF8.self),
                String(decoding: UnsafeBufferPointer(rebasing: bytes[(slash + 1)...]), as: UTF8.self)
            )
        }
    }

    /// The names a request may end up on, in order: the model itself, then its fallbacks (the
    /// request's list overrides the alias's). Unknown fallback names are reported, not skipped
    /// silently.
    func names(for name: String, overridingFallbacks: [String]?) throws(GatewayError) -> [ModelRoute] {
        let primary = try resolve(name)
        var routes = [primary]
        for fallback in overridingFallbacks ?? primary.fallbacks where fallback != name {
            do {
                routes.append(try resolve(fallback))
            } catch {
                throw GatewayError(
                    status: 400, type: .invalidRequest,
                    message: "fallback \"\(fallback)\": \(error.message)", param: "fallbacks")
            }
        }
        return routes
    }

    /// Every route the request could take, health aside (every deployment of every name, in
    /// the configured order): what a budget is reserved against.
    public func everyRoute(for name: String, overridingFallbacks: [String]?) throws(GatewayError) -> [ModelRoute] {
        try names(for: name, overridingFallbacks: overridingFallbacks).flatMap { route in
            guard let alias = aliases[route.name] else { return [route] }
            return alias.deployments.map {
                ModelRoute(
                    name: route.name, provider: $0.provider, model: $0.model, fallbacks: alias.fallbacks,
                    keyIndex: $0.keyIndex, deployment: $0)
            }
        }
    }
}
