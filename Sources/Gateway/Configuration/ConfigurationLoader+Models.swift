import Yams

/// `models:` (aliases, their deployments, strategy and health) and providers' key pools.
extension ConfigurationLoader {
    mutating func readModel(_ alias: String, _ node: Node, origin: String) {
        let at = "\(origin): models.\(alias)"
        guard let mapping = node.mapping else {
            problems.append("\(at): expected {provider, model} or {deployments: [...]}, with strategy, fallbacks")
            return
        }
        var model = GatewayConfiguration.Model(provider: "", model: "")
        var listed = false
        for (keyNode, value) in mapping {
            switch keyNode.string ?? "" {
            case "provider": model.provider = value.string ?? ""
            case "model": model.model = value.string ?? ""
            case "fallbacks":
                model.fallbacks = value.sequence?.compactMap(\.string) ?? []
                if value.sequence == nil { problems.append("\(at).fallbacks: expected a list of aliases") }
            case "strategy":
                if let strategy = value.string.flatMap(RoutingStrategy.init(rawValue:)) {
                    model.strategy = strategy
                } else {
                    problems.append("\(at).strategy: expected \(RoutingStrategy.wordList)")
                }
            case "deployments":
                listed = true
                guard let items = value.sequence, !items.isEmpty else {
                    problems.append("\(at).deployments: expected a list of {provider, model, weight}")
                    continue
                }
                for (i, item) in items.enumerated() {
                    if let deployment = readDeployment(item, at: "\(at).deployments[\(i)]") {
                        model.deployments.append(deployment)
                    }
                }
            case "health": readHealth(value, into: &model.health, at: "\(at).health")
            case let other:
                problems.append(
                    "\(at).\(other): unknown key (provider, model, deployments, strategy, fallbacks, health)")
            }
        }
        if listed {
            if !model.provider.isEmpty || !model.model.isEmpty {
                problems.append("\(at): either provider and model, or deployments, not both")
            }
        } else {
            if model.provider.isEmpty { problems.append("\(at).provider: required") }
            if model.model.isEmpty { problems.append("\(at).model: required") }
        }
        config.models[alias] = model
    }

    private mutating func readDeployment(_ node: Node, at: String) -> GatewayConfiguration.ModelDeployment? {
        guard let mapping = node.mapping else {
            problems.append("\(at): expected {provider, model, weight}")
            return nil
        }
        var deployment = GatewayConfiguration.ModelDeployment(provider: "", model: "")
        for (keyNode, value) in mapping {
            switch keyNode.string ?? "" {
            case "provider": deployment.provider = value.string ?? ""
            case "model": deployment.model = value.string ?? ""
            case "weight":
                guard let weight = value.string.flatMap(Double.init), (0...1_000_000).contains(weight) else {
                    problems.append("\(at).weight: expected a number between 0 and 1000000")
                    continue
                }
                deployment.weight = weight
            case "limits": deployment.limits = readDeploymentLimits(value, at: "\(at).limits")
            case let other: problems.append("\(at).\(other): unknown key (provider, model, weight, limits)")
            }
        }
        if deployment.provider.isEmpty { problems.append("\(at).provider: required") }
        if deployment.model.isEmpty { problems.append("\(at).model: required") }
        return deployment
    }

    /// A deployment's own `limits: {rpm, tpm, max_concurrent}` (0: unlimited).
    private mutating func readDeploymentLimits(_ node: Node, at: String) -> GatewayConfiguration.Limits? {
        guard let mapping = node.mapping else {
            problems.append("\(at): expected {rpm, tpm, max_concurrent}")
            return nil
        }
        var limits = GatewayConfiguration.Limits()
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            let ranges = ["rpm": 10_000_000, "tpm": 1_000_000_000, "max_concurrent": 1_000_000]
            guard let top = ranges[key] else {
                problems.append("\(at).\(key): unknown key (rpm, tpm, max_concurrent)")
                continue
            }
            guard let n = value.string.flatMap({ Int($0) }), (0...top).contains(n) else {
                problems.append("\(at).\(key): expected a whole number between 0 and \(top)")
                continue
            }
            switch key {
            case "rpm": limits.rpm = n
            case "tpm": limits.tpm = n
            default: limits.maxConcurrent = n
            }
        }
        return limits
    }

    /// `health: {error_ratio, window, min_requests, open_s, cooldown_s, cooldown_max_s}`.
    private mutating func readHealth(_ node: Node, into policy: inout HealthPolicy, at: String) {
        guard let mapping = node.mapping else {
            problems.append("\(at): expected a mapping")
            return
        }
        for (keyNode, value) in mapping {
            let key = keyNode.string ?? ""
            func number(_ range: ClosedRange<Double>) -> Double? {
                guard let n = value.string.flatMap(Double.init), range.contains(n) else {
                    problems.append(
                        "\(at).\(key): expected a number between \(range.lowerBound) and \(range.upperBound)")
                    return nil
                }
                return n
            }
            switch key {
            case "error_ratio": if let v = number(0.01...1) { policy.errorRatio = v }
            case "window": if let v = number(1...64) { policy.window = Int(v) }
            case "min_requests": if let v = number(1...64) { policy.minRequests = Int(v) }
            case "open_s": if let v = number(0.01...3600) { policy.openSeconds = v }
            case "cooldown_s": if let v = number(0...3600) { policy.cooldownSeconds = v }
            case "cooldown_max_s": if let v = number(0...3600) { policy.cooldownMaxSeconds = v }
            default:
                problems.append(
                    "\(at).\(key): unknown key (error_ratio, window, min_requests, open_s, cooldown_s, cooldown_max_s)")
            }
        }
        if policy.minRequests > policy.window {
            problems.append("\(at).min_requests: must not exceed window (\(policy.window))")
        }
    }

    /// `providers.<name>.api_key_envs: [A, B]`: a key pool, each variable one key.
    mutating func readKeyPool(_ path: String, _ node: Node, origin: String) {
        let name = String(path.split(separator: ".")[1])
        let variables = node.sequence?.compactMap(\.string) ?? []
        guard let items = node.sequence, !items.isEmpty, variables.count == items.count,
            variables.allSatisfy({ !$0.isEmpty })
        else {
            problems.append("\(origin): \(path): expected a list of environment variable names")
            return
        }
        guard Set(variables).count == variables.count else {
            problems.append("\(origin): \(path): a variable is listed twice")
            return
        }
        config.providers[name]?.apiKeyEnvs = variables
        config.origins[path] = origin
    }
}
