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

    public var aliases: [String: Alias]
    /// Providers with credentials, by name.
    public var enabledProviders: Set<String>
    /// Keys in each provider's pool (absent: one).
    public var keyCounts: [String: Int] = [:]
    public static let knownProviders: [String] = ["openai", "anthropic", "gemini"]
    /// The clock health is judged by (monotonic seconds); tests drive their own.
    public var now: @Sendable () -> Double = ModelCatalog.monotonicSeconds

    public init(aliases: [String: Alias], enabledProviders: Set<String>) {
        self.aliases = aliases
        self.enabledProviders = enabledProviders
    }

    @Sendable public static func monotonicSeconds() -> Double { Double(EventLoop.monotonicNanoseconds()) / 1e9 }

    /// The name's first route (an alias's first deployment), without any choice of deployment.
    public func resolve(_ name: String) throws(GatewayError) -> ModelRoute {
        if let alias = aliases[name] {
            for deployment in alias.deployments where !enabledProviders.contains(deployment.provider) {
                throw GatewayError(
                    status: 404, type: .notFound,
                    message: "model \"\(name)\" uses provider \(deployment.provider), which is not configured",
                    param: "model")
            }
            return ModelRoute(name: name, provider: alias.provider, model: alias.model, fallbacks: alias.fallbacks)
        }
        if let slash = name.utf8.firstIndex(of: UInt8(ascii: "/")) {
            let provider = String(name[..<slash])
            let model = String(name[name.index(after: slash)...])
            if Self.knownProviders.contains(provider) || enabledProviders.contains(provider), !model.isEmpty {
                guard enabledProviders.contains(provider) else {
                    throw GatewayError(
                        status: 404, type: .notFound,
                        message:
                            "provider \(provider) is not configured (set its API key, e.g. "
                            + "\(provider.uppercased())_API_KEY)",
                        param: "model")
                }
                return ModelRoute(name: name, provider: provider, model: model, fallbacks: [])
            }
        }
        throw GatewayError(
            status: 404, type: .notFound,
            message:
                "unknown model \"\(name)\": use a configured alias or \"provider/model-id\" (GET /v1/models lists "
                + "them)",
            param: "model")
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
