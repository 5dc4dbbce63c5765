import Pricing
import Reactor
import Store
import Redis

/// The configuration's known keys: what the file may say and what the environment overrides.
enum ConfigurationKeys {
    /// What each provider may set, whatever its name.
    static let providerLeaves = [
        "kind", "base_url", "api_key_env", "api_version", "auth",
        "compat.stream_options", "compat.max_tokens_field", "compat.reasoning_field",
        "compat.requires_key",
        "timeouts.connect_s", "timeouts.first_byte_s", "timeouts.idle_s",
        "limits.rpm", "limits.tpm", "limits.max_concurrent", "limits.queue_timeout_s",
        "retry.attempts", "retry.base_ms", "retry.cap_ms", "retry.max_wait_ms", "cache_ttl_s",
    ]
    static let providerSections: Set<String> = ["timeouts", "limits", "retry", "compat"]
    /// Provider keys that hold a mapping of free names (`headers: {X-Title: app}`).
    static let providerMaps: Set<String> = ["headers"]

    /// Every scalar key outside `providers`, dotted.
    static let globalLeaves: [String] = [
        "listen", "database", "usage_spool", "log_level", "log_format", "admin_key_env", "keep_alive_s",
        "server.loops", "server.max_body_bytes", "server.max_header_bytes", "server.header_timeout_s",
        "server.idle_timeout_s", "server.max_connections", "server.descriptor_reserve", "server.shutdown_grace_s",
        "chat_loops.max_per_key", "chat_loops.max_total", "chat_loops.retention_s", "responses.retention_days",
        "limits.backend", "limits.url", "limits.on_unavailable", "limits.lease_s", "limits.correction_delay_ms",
        "limits.advertise",
    ]

    /// Every scalar key, dotted, for these providers (the built-in ones and those the file names).
    static func leaves(providers: [String]) -> [String] {
        globalLeaves + ConfigurationLoader.telemetryLeaves
            + providers.flatMap { p in providerLeaves.map { "providers.\(p).\($0)" } }
    }

    /// The built-in providers' keys: what a near miss is compared with.
    static var leaves: [String] { leaves(providers: GatewayConfiguration.providerNames) }

    /// Keys that hold mappings, outside `providers.<name>`.
    static let sections: Set<String> = ["server", "chat_loops", "responses", "telemetry", "limits"]

    /// `providers.<name>.<rest>` → (name, rest).
    private static func providerPath(_ path: String) -> (name: String, rest: String)? {
        let parts = path.split(separator: ".", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "providers" else { return nil }
        return (String(parts[1]), String(parts[2]))
    }

    static func isSection(_ path: String) -> Bool {
        if sections.contains(path) { return true }
        let parts = path.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 2, parts[0] == "providers" { return true }  // providers.<name>
        guard let (_, rest) = providerPath(path) else { return false }
        return providerSections.contains(rest)
    }

    static func isLeaf(_ path: String) -> Bool {
        if globalLeaves.contains(path) || ConfigurationLoader.telemetryLeaves.contains(path) { return true }
        guard let (_, rest) = providerPath(path) else { return false }
        return providerLeaves.contains(rest)
    }

    static func isMapLeaf(_ path: String) -> Bool {
        if path == "telemetry.headers" { return true }
        guard let (_, rest) = providerPath(path) else { return false }
        return providerMaps.contains(rest)
    }

    /// Letters, digits, `-`, `_`: it is the first part of "provider/model" and of variable names.
    static func isProviderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64
            && name.utf8.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// `my-vllm` → `MY_VLLM_API_KEY`.
    static func keyVariable(forProvider name: String) -> String {
        name.uppercased().replacingOccurrences(of: "-", with: "_") + "_API_KEY"
    }

    /// An HTTP token (RFC 9110 §5.6.2).
    static func isHeaderName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { isAlphanumeric($0) || "!#$%&'*+-.^_`|~".utf8.contains($0) }
    }

    /// RFC 3986 unreserved: safe in a query value as is.
    static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "-._~".utf8.contains(byte)
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
    }

    /// `SWITCHBOARD_` + the path in capitals, dots as underscores.
    static func environmentName(_ path: String) -> String {
        "SWITCHBOARD_"
            + path.uppercased().replacingOccurrences(of: ".", with: "_")
            .replacingOccurrences(of: "-", with: "_")
    }

    /// " (did you mean log_level?)" for a near miss.
    static func suggestion(for path: String) -> String {
        var candidates = leaves + Array(sections) + ["models", "providers", "prices"]
        if let (name, _) = providerPath(path) {  // compare with the same provider's keys
            candidates += (providerLeaves + providerSections + providerMaps).map { "providers.\(name).\($0)" }
        }
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
        guard let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") else {
            return url
        }
        return String(url[..<authority.index(after: colon)]) + "***" + String(url[at...])
    }

    /// `limits:` with the Redis URL's password blanked out.
    private var sharedLimitsDescription: String {
        guard sharedLimits.backend == .redis else { return "limits: {backend: local}  # this daemon's own counts" }
        let url = sharedLimits.url.flatMap { try? RedisEndpoint.parse($0).get() }.map { "\($0)" } ?? "unset"
        return "limits: {backend: redis, url: \(url), on_unavailable: \(sharedLimits.onUnavailable.rawValue), "
            + "lease_s: \(sharedLimits.leaseSeconds), correction_delay_ms: \(sharedLimits.correctionDelayMillis), "
            + "advertise: \(sharedLimits.advertise ?? "the listen address")}\n"
            + "  # shared by every daemon on it: keys' rpm, tpm, max_concurrent and budgets; providers', pool keys' "
            + "and deployments' rpm, tpm and max_concurrent (and a 429's hold-back); deployments' cool-downs "
            + "and open breakers"
    }

    public func redactedDescription() -> String {
        func set(_ value: String?) -> String { value == nil ? "unset" : "set" }
        var lines = [
            "# source: \(source)",
            "listen: \(listen.host.contains(":") ? "[\(listen.host)]" : listen.host):\(listen.port)",
            "database: \(Self.maskingPassword(database))  # \(StoreLocation(database: database).summary)",
            "usage_spool: \(usageSpool)  # used with PostgreSQL only", "log_level: \(logLevel)",
            "log_format: \(logFormat.rawValue)",
            "admin_key_env: \(adminKeyEnv)  # \(set(adminKey))", "keep_alive_s: \(keepAliveSeconds)",
            "server:",
            "  loops: \(server.loops)", "  max_body_bytes: \(server.maxBodyBytes)",
            "  max_header_bytes: \(server.maxHeaderBytes)", "  header_timeout_s: \(server.headerTimeoutSeconds)",
            "  idle_timeout_s: \(server.idleTimeoutSeconds)", "  max_connections: \(server.maxConnections)",
            "  descriptor_reserve: \(server.descriptorReserve)",
            "  # \(descriptorBudget(openFileLimit: DescriptorBudget.raiseOpenFileLimit()).explanation)",
            "  shutdown_grace_s: \(server.shutdownGraceSeconds)",
            "chat_loops: {max_per_key: \(chatLoops.maxPerKey), max_total: \(chatLoops.maxTotal), retention_s: "
                + "\(chatLoops.retentionSeconds)}",
            sharedLimitsDescription,
        ]
        lines += telemetryDescription()
        lines.append("providers:")
        for name in providers.keys.sorted() {
            lines += providerDescription(name).map { "  " + $0 }
        }
        lines.append(models.isEmpty ? "models: {}" : "models:")
        for alias in models.keys.sorted() { lines += modelDescription(alias) }
        let table = PriceTable.builtIn
        lines.append(
            "prices:  # over the built-in table (as of \(table.asOf), \(table.models.count) models)"
                + (prices.isEmpty ? " {}" : ""))
        for name in prices.keys.sorted() {
            let p = prices[name]!.base
            lines.append(
                "  \(name): {input: \(p.input), output: \(p.output), cache_read: \(p.cacheRead), "
                    + "cache_write_5m: \(p.cacheWrite5m), cache_write_1h: \(p.cacheWrite1h)}")
        }
        return lines.joined(separator: "\n")
    }
}
