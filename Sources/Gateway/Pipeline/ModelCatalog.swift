import ChatModel

/// A model the client can name: an alias from the configuration, or "provider/model-id".
public struct ModelRoute: Sendable, Equatable {
    /// The name the client used.
    public var name: String
    public var provider: String
    /// The provider's model id.
    public var model: String
    public var fallbacks: [String]
}

/// Resolves the model names clients send. Aliases win over the "provider/model" form.
public struct ModelCatalog: Sendable {
    public struct Alias: Sendable, Equatable {
        public var provider: String
        public var model: String
        public var fallbacks: [String]
        public init(provider: String, model: String, fallbacks: [String] = []) {
            self.provider = provider
            self.model = model
            self.fallbacks = fallbacks
        }
    }

    public var aliases: [String: Alias]
    /// Providers with credentials, by name.
    public var enabledProviders: Set<String>
    public static let knownProviders: [String] = ["openai", "anthropic", "gemini"]

    public init(aliases: [String: Alias], enabledProviders: Set<String>) {
        self.aliases = aliases
        self.enabledProviders = enabledProviders
    }

    public func resolve(_ name: String) throws(GatewayError) -> ModelRoute {
        if let alias = aliases[name] {
            guard enabledProviders.contains(alias.provider) else {
                throw GatewayError(
                    status: 404, type: .notFound,
                    message: "model \"\(name)\" uses provider \(alias.provider), which is not configured",
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

    /// The routes to try, in order: the model itself, then its fallbacks (the request's list
    /// overrides the alias's). Unknown fallback names are reported, not skipped silently.
    public func chain(for name: String, overridingFallbacks: [String]?) throws(GatewayError) -> [ModelRoute] {
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
}
