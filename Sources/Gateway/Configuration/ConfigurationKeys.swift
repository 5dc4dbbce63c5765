import Pricing
import Reactor

/// The configuration's known keys: what the file may say and what the environment overrides.
enum ConfigurationKeys {
    static let providerLeaves = ["base_url", "api_key_env", "timeouts.connect_s", "timeouts.first_byte_s", "timeouts.idle_s",
                                 "limits.rpm", "limits.tpm", "limits.max_concurrent", "limits.queue_timeout_s",
                                 "retry.attempts", "retry.base_ms", "retry.cap_ms", "retry.max_wait_ms", "cache_ttl_s"]

    /// Every scalar key, dotted.
    static let leaves: [String] = ["listen", "database", "log_level", "log_format", "admin_key_env", "keep_alive_s",
                                   "server.loops", "server.max_body_bytes", "server.max_header_bytes", "server.header_timeout_s",
                                   "server.idle_timeout_s", "server.max_connections", "server.descriptor_reserve",
                                   "server.shutdown_grace_s",
                                   "chat_loops.max_per_key", "chat_loops.max_total", "chat_loops.retention_s"]
        + GatewayConfiguration.providerNames.flatMap { p in providerLeaves.map { "providers.\(p).\($0)" } }

    /// Keys that hold mappings.
    static let sections: Set<String> = Set(["server", "chat_loops"] + GatewayConfiguration.providerNames.flatMap { p in
        ["providers.\(p)", "providers.\(p).timeouts", "providers.\(p).limits", "providers.\(p).retry"]
    })

    static func isLeaf(_ path: String) -> Bool { leaves.contains(path) }

    /// `SWITCHBOARD_` + the path in capitals, dots as underscores.
    static func environmentName(_ path: String) -> String {
        "SWITCHBOARD_" + path.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// " (did you mean log_level?)" for a near miss.
    static func suggestion(for path: String) -> String {
        let candidates = leaves + Array(sections) + ["models", "providers", "prices"]
        let best = candidates.min { distance($0, path) < distance($1, path) }
        guard let best, distance(best, path) <= 3 else { return "" }
        return " (did you mean \(best)?)"
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var previous = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var current = [i] + Array(repeating: 0, count: y.count)
            for j in 1...max(1, y.count) where !y.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return x.isEmpty ? y.count : previous[y.count]
    }
}

extension GatewayConfiguration {
    /// The effective configuration as YAML, for `switchboard config check`. Secrets appear only
    /// as whether their variable is set.
    /// `https://user:secret@host` → `https://user:***@host`: a URL's password is a secret too.
    static func maskingPassword(_ url: String) -> String {
        guard let scheme = url.range(of: "://") else { return url }
        let rest = url[scheme.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else { return url }
        return String(url[..<authority.index(after: colon)]) + "***" + String(url[at...])
    }

    public func redactedDescription() -> String {
        func set(_ value: String?) -> String { value == nil ? "unset" : "set" }
        var lines = ["# source: \(source)",
                     "listen: \(listen.host.contains(":") ? "[\(listen.host)]" : listen.host):\(listen.port)",
                     "database: \(database)", "log_level: \(logLevel)", "log_format: \(logFormat.rawValue)",
                     "admin_key_env: \(adminKeyEnv)  # \(set(adminKey))", "keep_alive_s: \(keepAliveSeconds)",
                     "server:",
                     "  loops: \(server.loops)", "  max_body_bytes: \(server.maxBodyBytes)",
                     "  max_header_bytes: \(server.maxHeaderBytes)", "  header_timeout_s: \(server.headerTimeoutSeconds)",
                     "  idle_timeout_s: \(server.idleTimeoutSeconds)", "  max_connections: \(server.maxConnections)",
                     "  descriptor_reserve: \(server.descriptorReserve)",
                     "  # \(descriptorBudget(openFileLimit: DescriptorBudget.raiseOpenFileLimit()).explanation)",
                     "  shutdown_grace_s: \(server.shutdownGraceSeconds)",
                     "chat_loops: {max_per_key: \(chatLoops.maxPerKey), max_total: \(chatLoops.maxTotal), retention_s: \(chatLoops.retentionSeconds)}",
                     "providers:"]
        for name in GatewayConfiguration.providerNames {
            guard let p = providers[name] else { continue }
            lines += ["  \(name):  # \(p.enabled ? "enabled" : "disabled")",
                      "    base_url: \(Self.maskingPassword(p.baseURL))", "    api_key_env: \(p.apiKeyEnv)  # \(set(p.apiKey))",
                      "    timeouts: {connect_s: \(p.timeouts.connectSeconds), first_byte_s: \(p.timeouts.firstByteSeconds), idle_s: \(p.timeouts.idleSeconds)}",
                      "    limits: {rpm: \(p.limits.rpm), tpm: \(p.limits.tpm), max_concurrent: \(p.limits.maxConcurrent), queue_timeout_s: \(p.limits.queueTimeoutSeconds)}",
                      "    retry: {attempts: \(p.retry.attempts), base_ms: \(p.retry.baseMilliseconds), "
                          + "cap_ms: \(p.retry.capMilliseconds), max_wait_ms: \(p.retry.maxWaitMilliseconds)}"]
            if name == "gemini" { lines.append("    cache_ttl_s: \(p.cacheTTLSeconds)") }
        }
        lines.append(models.isEmpty ? "models: {}" : "models:")
        for alias in models.keys.sorted() {
            let m = models[alias]!
            lines.append("  \(alias): {provider: \(m.provider), model: \(m.model)\(m.fallbacks.isEmpty ? "" : ", fallbacks: [\(m.fallbacks.joined(separator: ", "))]")}")
        }
        let table = PriceTable.builtIn
        lines.append("prices:  # over the built-in table (as of \(table.asOf), \(table.models.count) models)"
                     + (prices.isEmpty ? " {}" : ""))
        for name in prices.keys.sorted() {
            let p = prices[name]!.base
            lines.append("  \(name): {input: \(p.input), output: \(p.output), cache_read: \(p.cacheRead), "
                         + "cache_write_5m: \(p.cacheWrite5m), cache_write_1h: \(p.cacheWrite1h)}")
        }
        return lines.joined(separator: "\n")
    }
}
