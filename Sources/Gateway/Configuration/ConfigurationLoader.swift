import Foundation
import JSON
import Pricing
import Redis
import Yams

extension GatewayConfiguration {
    /// Loads the effective configuration. `environment` is passed in (never read from the
    /// process here) so tests and reloads see exactly what they give.
    ///
    /// The file is `path`, else `$CONFIGURATION_DIRECTORY/config.yaml`, else
    /// `/etc/switchboard/config.yaml`, else none (the embedded default).
    public static func load(
        path: String?, environment: [String: String],
        defaultPath: String = "/etc/switchboard/config.yaml"
    ) throws(ConfigurationError) -> GatewayConfiguration {
        var loader = ConfigurationLoader(environment: environment)
        return try loader.load(path: path, defaultPath: defaultPath)
    }
}

/// Walks the YAML against the known keys, applies environment overrides, validates.
struct ConfigurationLoader {
    let environment: [String: String]
    var problems: [String] = []
    var config = GatewayConfiguration()
    /// Whether the file has a `providers:` section (it then says exactly which are on).
    var sawProviders = false
    /// Providers the file names that are not built in: each must say its `kind`, by name → origin.
    var kindless: [String: String] = [:]

    init(environment: [String: String]) { self.environment = environment }

    mutating func load(path: String?, defaultPath: String) throws(ConfigurationError) -> GatewayConfiguration {
        config.database =
            environment["STATE_DIRECTORY"].map { "\($0.split(separator: ":").first ?? "")/switchboard.db" }
            ?? "./switchboard.db"
        config.usageSpool =
            environment["STATE_DIRECTORY"].map { "\($0.split(separator: ":").first ?? "")/usage.spool" }
            ?? "./switchboard-usage.spool"
        let file = resolveFile(path: path, defaultPath: defaultPath)
        if let file {
            config.source = .file(file)
            readFile(file)
        }
        // No `providers:` (no file, or a file without the section): a built-in provider is on
        // when its standard key variable is set, as with no file at all.
        if !sawProviders {
            for name in GatewayConfiguration.providerNames {
                guard let p = config.providers[name], !(environment[p.apiKeyEnv] ?? "").isEmpty else { continue }
                config.providers[name]?.enabled = true
                config.providers[name]?.enabledBy = "\(p.apiKeyEnv) is set"
            }
        }
        applyEnvironment()
        applyOpenTelemetryEnvironment()
        completeProviders()
        resolveSecretsAndValidate()
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return config
    }

    private mutating func resolveFile(path: String?, defaultPath: String) -> String? {
        if let path {
            guard FileManager.default.fileExists(atPath: path) else {
                problems.append("\(path): file not found")
                return nil
            }
            return path
        }
        if let dir = environment["CONFIGURATION_DIRECTORY"]?.split(separator: ":").first {
            let candidate = "\(dir)/config.yaml"
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
        }
        return FileManager.default.fileExists(atPath: defaultPath) ? defaultPath : nil
    }

    // MARK: File

    private mutating func readFile(_ file: String) {
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            problems.append("\(file): cannot read: \(error.localizedDescription)")
            return
        }
        let root: Node?
        do { root = try Yams.compose(yaml: text) } catch {
            problems.append("\(file): YAML syntax error: \(error)")
            return
        }
        guard let root else { return }  // an empty file is the defaults
        guard let mapping = root.mapping else {
            problems.append("\(file):\(line(root)): the top level must be a mapping of keys")
            return
        }
        walk(mapping, prefix: [], file: file)
    }

    private func line(_ node: Node) -> String { node.mark.map { "\($0.line)" } ?? "?" }

    private mutating func walk(_ mapping: Node.Mapping, prefix: [String], file: String) {
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { continue }
            let path = prefix + [key]
            let dotted = path.joined(separator: ".")
            let origin = "\(file):\(line(keyNode))"
            if path.count == 2, path[0] == "models" {
                readModel(key, value, origin: origin)
            } else if path.count == 3, path[0] == "providers", path[2] == "api_key_envs" {
                readKeyPool(dotted, value, origin: origin)
            } else if path == ["prices"] {
                readPrices(value, origin: origin)
            } else if path == ["models"] || path == ["providers"] || (path.count == 2 && path[0] == "providers")
                || ConfigurationKeys.isSection(dotted)
            {
                guard let inner = value.mapping else {
                    problems.append("\(origin): \(dotted): expected a mapping")
                    continue
                }
                if path == ["providers"] { sawProviders = true }
                if path.count == 2, path[0] == "providers" {
                    guard declareProvider(key, origin: origin) else { continue }
                }
                walk(inner, prefix: path, file: file)
            } else if ConfigurationKeys.isLeaf(dotted) || ConfigurationKeys.isMapLeaf(dotted) {
                if ConfigurationKeys.isMapLeaf(dotted) {
                    readHeaders(dotted, value, origin: origin)
                    continue
                }
                guard let scalar = value.scalar?.string else {
                    problems.append("\(origin): \(dotted): expected a single value")
                    continue
                }
                apply(dotted, scalar, origin: origin)
            } else {
                problems.append("\(origin): \(dotted): unknown key\(ConfigurationKeys.suggestion(for: dotted))")
            }
        }
    }

    /// `prices: {name: {input, output, cache_read, cache_write_5m, cache_write_1h, tiers}}`,
    /// checked by the pricing module (a negative, non-finite or absurd price names its key).
    private mutating func readPrices(_ node: Node, origin: String) {
        do {
            config.prices = try Pricer.overrides(Self.json(node))
        } catch {
            problems.append("\(origin): \(error.key): \(error.problem)")
        }
    }

    /// A YAML node as JSON: plain scalars that read as numbers become numbers (YAML's `.inf`
    /// and `.nan` do not, and are refused as prices), everything else a string.
    static func json(_ node: Node) -> JSONValue {
        if let mapping = node.mapping {
            var object = JSONObject()
            for (key, value) in mapping { object[key.string ?? ""] = json(value) }
            return .object(object)
        }
        if let sequence = node.sequence { return .array(sequence.map(json)) }
        let text = node.scalar?.string ?? ""
        if node.scalar?.style == .plain, Double(text) != nil { return .number(text) }
        return .string(text)
    }

    // MARK: Environment

    private mutating func applyEnvironment() {
        for path in ConfigurationKeys.leaves(providers: config.providers.keys.sorted()) {
            let name = ConfigurationKeys.environmentName(path)
            if let value = environment[name] { apply(path, value, origin: "environment \(name)") }
        }
    }

    // MARK: Values

    private mutating func apply(_ path: String, _ raw: String, origin: String) {
        let parts = path.split(separator: ".").map(String.init)
        func fail(_ problem: String) { problems.append("\(origin): \(path): \(problem)") }
        config.origins[path] = origin
        func int(_ range: ClosedRange<Int>) -> Int? {
            guard let n = Int(raw) else { fail("expected a whole number, got \"\(raw)\""); return nil }
            guard range.contains(n) else {
                fail("must be between \(range.lowerBound) and \(range.upperBound)"); return nil
            }
            return n
        }
        func double(_ range: ClosedRange<Double>) -> Double? {
            guard let n = Double(raw) else { fail("expected a number, got \"\(raw)\""); return nil }
            guard range.contains(n) else {
                fail("must be between \(range.lowerBound) and \(range.upperBound)"); return nil
            }
            return n
        }
        switch parts[0] {
        case "listen":
            guard let colon = raw.lastIndex(of: ":"), let port = Int(raw[raw.index(after: colon)...]),
                (0...65535).contains(port)
            else {
                fail("expected host:port, got \"\(raw)\"")
                return
            }
            var host = String(raw[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            config.listen = .init(host: host.isEmpty ? "127.0.0.1" : host, port: port)
        case "database": config.database = raw
        case "usage_spool": config.usageSpool = raw
        case "log_level":
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(raw) {
                config.logLevel = raw
            } else {
                fail("unknown level \"\(raw)\" (\(levels.joined(separator: ", ")))")
            }
        case "log_format":
            if let format = LogFormat(rawValue: raw) {
                config.logFormat = format
            } else {
                fail("unknown format \"\(raw)\" (text, json)")
            }
        case "admin_key_env": config.adminKeyEnv = raw
        case "keep_alive_s": if let v = double(0.05...3600) { config.keepAliveSeconds = v }
        case "server":
            switch parts[1] {
            case "loops": if let v = int(0...256) { config.server.loops = v }
            case "max_body_bytes": if let v = int(1024...1 << 30) { config.server.maxBodyBytes = v }
            case "max_header_bytes": if let v = int(1024...1 << 20) { config.server.maxHeaderBytes = v }
            case "header_timeout_s": if let v = double(0.01...3600) { config.server.headerTimeoutSeconds = v }
            case "idle_timeout_s": if let v = double(0.01...86400) { config.server.idleTimeoutSeconds = v }
            case "max_connections": if let v = int(1...1_000_000) { config.server.maxConnections = v }
            case "descriptor_reserve": if let v = int(0...1_000_000) { config.server.descriptorReserve = v }
            case "shutdown_grace_s": if let v = double(0...3600) { config.server.shutdownGraceSeconds = v }
            default: fail("unknown key")
            }
        case "chat_loops":
            switch parts[1] {
            case "max_per_key": if let v = int(1...1_000_000) { config.chatLoops.maxPerKey = v }
            case "max_total": if let v = int(1...10_000_000) { config.chatLoops.maxTotal = v }
            case "retention_s": if let v = double(0...604_800) { config.chatLoops.retentionSeconds = v }
            default: fail("unknown key")
            }
        case "responses":
            switch parts[1] {
            case "retention_days": if let v = double(0...3650) { config.responsesRetentionDays = v }
            default: fail("unknown key")
            }
        case "telemetry":
            Self.applyTelemetry(&config.telemetry, parts[1], raw, fail: fail, double: double)
        case "limits":
            switch parts[1] {
            case "backend":
                if let v = SharedLimitsSettings.Backend(rawValue: raw) {
                    config.sharedLimits.backend = v
                } else {
                    fail("unknown backend \"\(raw)\" (local, redis)")
                }
            case "url":
                if case .failure(let problem) = RedisEndpoint.parse(raw) {
                    fail("\(problem)")
                } else {
                    config.sharedLimits.url = raw
                }
            case "on_unavailable":
                if let v = SharedLimitsSettings.OnUnavailable(rawValue: raw) {
                    config.sharedLimits.onUnavailable = v
                } else {
                    fail("unknown mode \"\(raw)\" (fail_open, fail_closed)")
                }
            case "lease_s": if let v = double(1...3600) { config.sharedLimits.leaseSeconds = v }
            case "correction_delay_ms":
                if let v = int(0...60_000) { config.sharedLimits.correctionDelayMillis = v }
            case "advertise":
                if raw.hasPrefix("http://") || raw.hasPrefix("https://") {
                    config.sharedLimits.advertise = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
                } else {
                    fail("expected http://host:port (where other daemons reach this one)")
                }
            default: fail("unknown key")
            }
        case "providers":
            let name = parts[1], key = parts[2...].joined(separator: ".")
            guard var p = config.providers[name] else { fail("unknown provider"); return }
            Self.applyProvider(&p, key, raw, fail: fail, int: int, double: double)
            config.providers[name] = p
            if key == "kind", ProviderKind(rawValue: raw) != nil { kindless[name] = nil }
        default:
            fail("unknown key")
        }
    }

    // MARK: Cross-checks

    private mutating func resolveSecretsAndValidate() {
        let origin = config.source.description
        config.adminKey = environment[config.adminKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
        for name in config.providers.keys.sorted() {
            guard var p = config.providers[name] else { continue }
            p.apiKey = environment[p.apiKeyEnv].flatMap { $0.isEmpty ? nil : $0 }
            if !p.apiKeyEnvs.isEmpty {
                p.apiKeys = p.apiKeyEnvs.map { environment[$0] ?? "" }
                for variable in p.apiKeyEnvs where p.enabled && (environment[variable] ?? "").isEmpty {
                    problems.append(
                        "\(origin): providers.\(name).api_key_envs: environment variable \(variable) is not set")
                }
                p.apiKey = p.apiKeys.first
            } else if p.enabled, p.apiKey == nil, p.needsKey {
                let hint = p.kind == .openai ? " (a local server without keys: compat: {requires_key: false})" : ""
                problems.append(
                    "\(origin): providers.\(name).api_key_env: environment variable \(p.apiKeyEnv) "
                        + "is not set\(hint)")
            }
            config.providers[name] = p
        }
        for alias in config.models.keys.sorted() {
            let model = config.models[alias]!
            for deployment in model.allDeployments where !deployment.provider.isEmpty {
                if config.providers[deployment.provider] == nil {
                    let known = config.providers.keys.sorted().joined(separator: ", ")
                    problems.append(
                        "\(origin): models.\(alias).provider: unknown provider \"\(deployment.provider)\" "
                            + "(\(known))")
                } else if config.providers[deployment.provider]?.enabled != true {
                    problems.append(
                        "\(origin): models.\(alias).provider: provider \(deployment.provider) is not configured "
                            + "(add it under providers:)"
                    )
                }
            }
            for fallback in model.fallbacks where config.models[fallback] == nil && !fallback.contains("/") {
                problems.append("\(origin): models.\(alias).fallbacks: unknown alias \"\(fallback)\"")
            }
        }
        if config.sharedLimits.backend == .redis, config.sharedLimits.url == nil {
            problems.append("\(origin): limits.url: the redis backend needs a url (redis://host:port/db)")
        }
        if !GatewayConfiguration.isLoopback(host: config.listen.host), config.adminKey == nil {
            problems.append(
                "\(origin): listen: \(config.listen.host) is not a loopback address, and no admin key is set "
                    + "(\(config.adminKeyEnv)); refusing to expose the gateway without one"
            )
        }
    }
}
