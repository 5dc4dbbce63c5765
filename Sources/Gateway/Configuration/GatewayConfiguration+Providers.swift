extension GatewayConfiguration {
    /// Where `key` (dotted) got its value: "config.yaml:7", "environment X", or "default".
    public func origin(of key: String) -> String { origins[key] ?? "default" }

    /// One line per provider for the daemon's start-up log: whether it is on, why, and where
    /// it points (secrets only as whether their variable is set).
    public func providerSummary() -> [String] {
        providers.keys.sorted().compactMap { name in
            let p = providers[name]!
            guard p.enabled else { return nil }
            let url = "providers.\(name).base_url"
            return "provider \(name) (kind \(p.kind.rawValue)) enabled by \(p.enabledBy ?? "default"): "
                + "base_url \(Self.maskingPassword(p.baseURL)) from \(origin(of: url)), "
                + (p.apiKeyEnvs.isEmpty
                    ? "key \(p.apiKeyEnv) \(p.apiKey == nil ? "unset" : "set")"
                    : "key pool \(p.apiKeyEnvs.joined(separator: ", "))")
        }
    }

    /// `config check`'s lines for provider `name`, each setting with where it came from.
    func providerDescription(_ name: String) -> [String] {
        guard let p = providers[name] else { return [] }
        func from(_ key: String) -> String { "  # " + origin(of: "providers.\(name).\(key)") }
        func section(_ key: String, _ body: String) -> String {
            let keys = origins.keys.filter { $0.hasPrefix("providers.\(name).\(key).") }.sorted()
            let set = keys.map { "\($0.split(separator: ".").last!) from \(origins[$0]!)" }
            return "  \(key): {\(body)}" + (set.isEmpty ? "  # default" : "  # " + set.joined(separator: "; "))
        }
        var lines = [
            "\(name):  # " + (p.enabled ? "enabled: \(p.enabledBy ?? "default")" : "disabled"),
            "  kind: \(p.kind.rawValue)" + from("kind"),
            "  base_url: \(Self.maskingPassword(p.baseURL))" + from("base_url"),
            "  api_key_env: \(p.apiKeyEnv)  # \(p.apiKey == nil ? "unset" : "set");"
                + from("api_key_env").dropFirst(3),
        ]
        if !p.apiKeyEnvs.isEmpty {
            lines.removeLast()  // the pool's variables stand in place of api_key_env
            let set = zip(p.apiKeyEnvs, p.apiKeys).map { "\($0) \($1.isEmpty ? "unset" : "set")" }
            lines.append(
                "  api_key_envs: [\(p.apiKeyEnvs.joined(separator: ", "))]  # a key pool: "
                    + "\(set.joined(separator: ", ")); from \(origin(of: "providers.\(name).api_key_envs"))")
        }
        if p.kind == .azureOpenAI {
            lines.append("  api_version: \(p.apiVersion)" + from("api_version"))
            lines.append("  auth: \(p.bearer ? "bearer" : "api-key")" + from("auth"))
        }
        if p.kind == .openai || p.kind == .azureOpenAI {
            let c = p.compat
            lines.append(
                section(
                    "compat",
                    "stream_options: \(c.streamOptions), "
                        + "max_tokens_field: \(c.maxTokensField.rawValue), reasoning_field: "
                        + "\(c.reasoningField?.rawValue ?? "any"), requires_key: \(c.requiresKey)"
                ))
        }
        if !p.headers.isEmpty {
            let pairs = p.headers.keys.sorted().map { "\($0): \(p.headers[$0]!)" }
            lines.append("  headers: {\(pairs.joined(separator: ", "))}" + from("headers"))
        }
        lines += [
            section(
                "timeouts",
                "connect_s: \(p.timeouts.connectSeconds), "
                    + "first_byte_s: \(p.timeouts.firstByteSeconds), idle_s: \(p.timeouts.idleSeconds)"),
            section(
                "limits",
                "rpm: \(p.limits.rpm), tpm: \(p.limits.tpm), "
                    + "max_concurrent: \(p.limits.maxConcurrent), queue_timeout_s: \(p.limits.queueTimeoutSeconds)"),
            section(
                "retry",
                "attempts: \(p.retry.attempts), base_ms: \(p.retry.baseMilliseconds), "
                    + "cap_ms: \(p.retry.capMilliseconds), max_wait_ms: \(p.retry.maxWaitMilliseconds)"),
        ]
        if p.kind == .gemini { lines.append("  cache_ttl_s: \(p.cacheTTLSeconds)" + from("cache_ttl_s")) }
        return lines
    }

    /// `config check`'s lines for alias `name`: the one-deployment form on a line; the list
    /// form with its strategy, each deployment (a key pool's keys each their own), and health.
    func modelDescription(_ name: String) -> [String] {
        guard let m = models[name] else { return [] }
        let fallbacks = m.fallbacks.isEmpty ? "" : "fallbacks: [\(m.fallbacks.joined(separator: ", "))]"
        if m.deployments.isEmpty, m.strategy == .weighted, m.health == HealthPolicy() {
            let pool = providers[m.provider]?.apiKeyEnvs ?? []
            return [
                "  \(name): {provider: \(m.provider), model: \(m.model)\(fallbacks.isEmpty ? "" : ", " + fallbacks)}"
                    + (pool.isEmpty ? "" : "  # one deployment per key: \(pool.joined(separator: ", "))")
            ]
        }
        var lines = ["  \(name):", "    strategy: \(m.strategy.rawValue)", "    deployments:"]
        for d in m.allDeployments {
            let pool = providers[d.provider]?.apiKeyEnvs ?? []
            let limits = d.limits.map {
                ", limits: {rpm: \($0.rpm), tpm: \($0.tpm), max_concurrent: \($0.maxConcurrent)}"
            }
            lines.append(
                "      - {provider: \(d.provider), model: \(d.model), weight: \(d.weight)\(limits ?? "")}"
                    + (pool.isEmpty ? "" : "  # one deployment per key: \(pool.joined(separator: ", "))"))
        }
        if !fallbacks.isEmpty { lines.append("    " + fallbacks) }
        let h = m.health
        lines.append(
            "    health: {error_ratio: \(h.errorRatio), window: \(h.window), min_requests: \(h.minRequests), "
                + "open_s: \(h.openSeconds), cooldown_s: \(h.cooldownSeconds), cooldown_max_s: \(h.cooldownMaxSeconds)}"
        )
        return lines
    }
}
