import HTTPServer
import Pricing
import HTTPTypes
import Providers
import Reactor

extension GatewayConfiguration {
    /// The connection cap these settings give under `openFileLimit`.
    public func descriptorBudget(openFileLimit: Int) -> DescriptorBudget {
        DescriptorBudget(
            openFileLimit: openFileLimit, reserve: server.descriptorReserve,
            configuredConnections: server.maxConnections)
    }
}

/// Translating the configuration file's shape into what the runtime pieces take. The only
/// place that knows both.
extension GatewayDaemon {
    /// The adapter that speaks `provider`'s kind, under its configured name.
    static func adapter(named name: String, _ provider: GatewayConfiguration.Provider) -> any ProviderAdapter {
        switch provider.kind {
        case .openai: return OpenAIAdapter(name: name, compat: provider.compat)
        case .anthropic: return AnthropicAdapter(name: name)
        case .gemini: return GeminiAdapter(name: name)
        case .azureOpenAI:
            return AzureOpenAIAdapter(
                name: name, apiVersion: provider.apiVersion, bearer: provider.bearer,
                compat: provider.compat)
        }
    }

    static func snapshot(from configuration: GatewayConfiguration) -> GatewaySnapshot {
        var slots: [String: ProviderSlot] = [:]
        var pools: [String: [ProviderSlot]] = [:]
        let now: @Sendable () -> Double = ModelCatalog.monotonicSeconds
        for (name, provider) in configuration.providers where provider.enabled {
            // One slot per key of a pool: each key its own limits (and health, per deployment).
            let keys = provider.apiKeyEnvs.isEmpty ? [provider.apiKey ?? ""] : provider.apiKeys
            let keySlots = keys.enumerated().map { index, key in
                slot(named: name, provider, apiKey: key, identity: "\(name):\(index)", now: now)
            }
            slots[name] = keySlots[0]
            if keySlots.count > 1 { pools[name] = keySlots }
        }
        var aliases: [String: ModelCatalog.Alias] = [:]
        for (name, model) in configuration.models {
            var deployments: [Deployment] = []
            for d in model.allDeployments {
                let pool = configuration.providers[d.provider]?.apiKeyEnvs ?? []
                // A pool shares its deployment's weight among its keys.
                let share = d.weight / Double(max(1, pool.count))
                for key in pool.isEmpty ? [0] : Array(pool.indices) {
                    // Limits of its own: a slot of its own, with the key's endpoint and its own limiter.
                    var own: ProviderSlot?
                    if let limits = d.limits, var provider = configuration.providers[d.provider], provider.enabled {
                        provider.limits.rpm = limits.rpm
                        provider.limits.tpm = limits.tpm
                        provider.limits.maxConcurrent = limits.maxConcurrent
                        let apiKey = pool.isEmpty ? provider.apiKey ?? "" : provider.apiKeys[key]
                        own = slot(
                            named: d.provider, provider, apiKey: apiKey,
                            identity: "\(name)|\(d.provider):\(key)|\(d.model)", now: now)
                    }
                    deployments.append(
                        Deployment(
                            alias: name, provider: d.provider, keyIndex: key,
                            keyName: pool.isEmpty ? nil : pool[key], model: d.model, weight: share,
                            policy: model.health, slot: own, now: now))
                }
            }
            aliases[name] = ModelCatalog.Alias(
                strategy: model.strategy, deployments: deployments, fallbacks: model.fallbacks)
        }
        var catalog = ModelCatalog(aliases: aliases, enabledProviders: Set(slots.keys))
        catalog.keyCounts = pools.mapValues(\.count)
        var registry = ProviderRegistry(slots: slots)
        registry.pools = pools
        var snapshot = GatewaySnapshot(
            catalog: catalog, registry: registry,
            keepAliveSeconds: configuration.keepAliveSeconds,
            adminKey: configuration.adminKey,
            listensOnLoopback: GatewayConfiguration.isLoopback(host: configuration.listen.host))
        snapshot.loopLimits = configuration.chatLoops
        snapshot.responsesRetentionSeconds = Int(configuration.responsesRetentionDays * 86_400)
        snapshot.secrets = configuration.scrubber
        // One TTL for the cache store: the built-in gemini's, else the first Gemini-kind provider's.
        let gemini =
            configuration.providers["gemini"].flatMap { $0.enabled ? $0 : nil }
            ?? configuration.enabledProviderNames.lazy.compactMap { configuration.providers[$0] }
            .first { $0.kind == .gemini }
        snapshot.geminiCacheTTLSeconds = gemini?.cacheTTLSeconds ?? 600
        snapshot.pricer = Pricer(overrides: configuration.prices)
        return snapshot
    }

    /// One key's slot of provider `name`: its adapter, endpoint, retry policy and limiter.
    private static func slot(
        named name: String, _ provider: GatewayConfiguration.Provider, apiKey: String, identity: String,
        now: @escaping @Sendable () -> Double
    ) -> ProviderSlot {
        var endpoint = ProviderEndpoint(
            baseURL: provider.baseURL, apiKey: apiKey,
            connectTimeout: provider.timeouts.connectSeconds,
            firstByteTimeout: provider.timeouts.firstByteSeconds,
            idleTimeout: provider.timeouts.idleSeconds)
        endpoint.extraHeaders = HTTPHeaders(provider.headers.keys.sorted().map { ($0, provider.headers[$0]!) })
        let retry = RetryPolicy(
            attempts: provider.retry.attempts,
            baseSeconds: Double(provider.retry.baseMilliseconds) / 1000,
            capSeconds: Double(provider.retry.capMilliseconds) / 1000,
            maxWaitSeconds: Double(provider.retry.maxWaitMilliseconds) / 1000)
        let limits = provider.limits
        let limiter = ProviderLimiter(
            rpm: limits.rpm, tpm: limits.tpm, maxConcurrent: limits.maxConcurrent,
            queueTimeoutSeconds: limits.queueTimeoutSeconds, identity: identity, now: now)
        return ProviderSlot(adapter: adapter(named: name, provider), endpoint: endpoint, retry: retry, limiter: limiter)
    }

    /// `openFileLimit`: the soft RLIMIT_NOFILE in force (raised to the hard limit at start).
    static func serverConfiguration(
        from configuration: GatewayConfiguration,
        openFileLimit: Int
    ) -> HTTPServerConfiguration {
        var server = HTTPServerConfiguration()
        server.host = configuration.listen.host
        server.port = configuration.listen.port
        let limits = configuration.server
        if limits.loops > 0 { server.loopCount = limits.loops }
        server.maxBodyBytes = limits.maxBodyBytes
        server.maxHeaderBytes = limits.maxHeaderBytes
        server.headerTimeout = limits.headerTimeoutSeconds
        server.idleTimeout = limits.idleTimeoutSeconds
        let budget = configuration.descriptorBudget(openFileLimit: openFileLimit)
        server.maxConnections = budget.connectionCap
        server.connectionCapReason =
            budget.limitedByDescriptors
            ? "limited by the open-file limit \(openFileLimit), two descriptors per stream" : "server.max_connections"
        return server
    }
}
