import Providers
import Yams

/// The `providers:` map: names the operator chooses, each of a kind.
extension ConfigurationLoader {
    /// `providers.<name>` seen in the file: creates it (a new name must say its `kind`) and
    /// turns it on. false: the name is unusable.
    mutating func declareProvider(_ name: String, origin: String) -> Bool {
        guard ConfigurationKeys.isProviderName(name) else {
            problems.append(
                "\(origin): providers.\(name): a provider name is letters, digits, - and _ "
                    + "(it is the first part of \"provider/model\")")
            return false
        }
        if config.providers[name] == nil {
            config.providers[name] = GatewayConfiguration.Provider(kind: .openai, baseURL: "", apiKeyEnv: "")
            kindless[name] = origin
        }
        config.providers[name]?.enabled = true
        config.providers[name]?.enabledBy = "providers.\(name) in \(origin)"
        return true
    }

    /// `providers.<name>.headers`: extra request headers, name → value (not secrets: the file has none).
    mutating func readHeaders(_ path: String, _ node: Node, origin: String) {
        let name = path.split(separator: ".")[1]
        guard let mapping = node.mapping else {
            problems.append("\(origin): \(path): expected a mapping of header names to values")
            return
        }
        var headers: [String: String] = [:]
        for (key, value) in mapping {
            guard let field = key.string, ConfigurationKeys.isHeaderName(field), let text = value.scalar?.string,
                !text.utf8.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 })
            else {
                problems.append("\(origin): \(path): expected header: value pairs (a token name, a one-line value)")
                continue
            }
            headers[field] = text
        }
        if path == "telemetry.headers" {
            config.telemetry.headers = headers
        } else {
            config.providers[String(name)]?.headers = headers
        }
        config.origins[path] = origin
    }

    /// One `providers.<name>.<key>` value (`key` dotted, e.g. "compat.reasoning_field") into `p`.
    static func applyProvider(
        _ p: inout GatewayConfiguration.Provider, _ key: String, _ raw: String,
        fail: (String) -> Void, int: (ClosedRange<Int>) -> Int?,
        double: (ClosedRange<Double>) -> Double?
    ) {
        func bool() -> Bool? {
            switch raw {
            case "true": return true
            case "false": return false
            default: fail("expected true or false, got \"\(raw)\""); return nil
            }
        }
        switch key {
        case "kind":
            if let kind = ProviderKind(rawValue: raw) {
                p.kind = kind
            } else {
                fail("unknown kind \"\(raw)\" (\(ProviderKind.wordList))")
            }
        case "base_url":
            if raw.hasPrefix("http://") || raw.hasPrefix("https://") {
                p.baseURL = raw
            } else {
                fail("expected an http:// or https:// URL")
            }
        case "api_key_env": p.apiKeyEnv = raw
        case "api_version":
            if !raw.isEmpty, raw.utf8.allSatisfy({ ConfigurationKeys.isUnreserved($0) }) {
                p.apiVersion = raw
            } else {
                fail("expected a version such as 2024-10-21, or v1")
            }
        case "auth":
            switch raw {
            case "api-key": p.bearer = false
            case "bearer": p.bearer = true
            default: fail("expected api-key or bearer")
            }
        case "compat.stream_options": if let v = bool() { p.compat.streamOptions = v }
        case "compat.requires_key": if let v = bool() { p.compat.requiresKey = v }
        case "compat.max_tokens_field":
            if let field = OpenAICompat.MaxTokensField(rawValue: raw) {
                p.compat.maxTokensField = field
            } else {
                fail("expected max_tokens or max_completion_tokens")
            }
        case "compat.reasoning_field":
            if let field = OpenAICompat.ReasoningField(rawValue: raw) {
                p.compat.reasoningField = field
            } else {
                fail("expected reasoning_content or reasoning")
            }
        case "timeouts.connect_s": if let v = double(0.01...600) { p.timeouts.connectSeconds = v }
        case "timeouts.first_byte_s": if let v = double(0.01...3600) { p.timeouts.firstByteSeconds = v }
        case "timeouts.idle_s": if let v = double(0.01...3600) { p.timeouts.idleSeconds = v }
        case "limits.rpm": if let v = int(0...10_000_000) { p.limits.rpm = v }
        case "limits.tpm": if let v = int(0...1_000_000_000) { p.limits.tpm = v }
        case "limits.max_concurrent": if let v = int(0...1_000_000) { p.limits.maxConcurrent = v }
        case "limits.queue_timeout_s": if let v = double(0...600) { p.limits.queueTimeoutSeconds = v }
        case "retry.attempts": if let v = int(1...20) { p.retry.attempts = v }
        case "retry.base_ms": if let v = int(0...60_000) { p.retry.baseMilliseconds = v }
        case "retry.cap_ms": if let v = int(0...600_000) { p.retry.capMilliseconds = v }
        case "retry.max_wait_ms": if let v = int(0...600_000) { p.retry.maxWaitMilliseconds = v }
        case "cache_ttl_s": if let v = int(1...604_800) { p.cacheTTLSeconds = v }
        default: fail("unknown key")
        }
    }

    /// After the file and the environment: every provider has a kind, a base URL in the bare
    /// form and a key variable; a built-in name whose base URL nobody set takes its SDK's
    /// variable (`OPENAI_BASE_URL`, …), file or no file.
    mutating func completeProviders() {
        let origin = config.source.description
        for (name, where_) in kindless.sorted(by: { $0.key < $1.key }) {
            problems.append(
                "\(where_): providers.\(name).kind: required for a provider not named "
                    + "openai, anthropic or gemini (\(ProviderKind.wordList))")
        }
        for name in config.providers.keys.sorted() {
            guard var p = config.providers[name] else { continue }
            let urlKey = "providers.\(name).base_url"
            if ProviderKind.builtIn(name) != nil, config.origins[urlKey] == nil,
                let url = environment[p.kind.baseURLVariable], !url.isEmpty
            {
                if url.hasPrefix("http://") || url.hasPrefix("https://") {
                    p.baseURL = url
                    config.origins[urlKey] = "environment \(p.kind.baseURLVariable)"
                } else {
                    problems.append("environment \(p.kind.baseURLVariable): expected an http:// or https:// URL")
                }
            }
            if p.baseURL.isEmpty {
                p.baseURL = p.kind.defaultBaseURL
                if p.enabled, p.baseURL.isEmpty {
                    problems.append("\(origin): \(urlKey): required for kind \(p.kind.rawValue)")
                }
            }
            if p.baseURL.hasSuffix("/openai/v1") || p.baseURL.hasSuffix("/openai/v1/"), p.kind == .azureOpenAI,
                config.origins["providers.\(name).api_version"] == nil
            {
                p.apiVersion = "v1"  // the base URL says which of Azure's two paths
            }
            p.baseURL = p.kind.normalizedBaseURL(p.baseURL)
            // A name of one's own has a variable of its own (GROQ_API_KEY): defaulting to the kind's
            // (OPENAI_API_KEY) would send one service's key to another.
            if p.apiKeyEnv.isEmpty { p.apiKeyEnv = ConfigurationKeys.keyVariable(forProvider: name) }
            config.providers[name] = p
        }
    }
}
