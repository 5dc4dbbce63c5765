import ChatModel
import HTTPTypes

/// Choosing where a request goes: the deployments that are in, in the alias's order.
extension ModelCatalog {
    /// The routes to try, in order: the model's available deployments in its strategy's
    /// order, then each fallback's the same way (fallbacks come after every deployment is
    /// exhausted or out). A "provider/model" name is one route per key of the provider's
    /// pool, starting at a random key. `preferring`: a deployment label tried first while it
    /// is in (a loop stays on its first turn's deployment).
    ///
    /// When every deployment of every name is out, fails fast: 429 when all are cooling down
    /// after rate limits, else 503, either with `Retry-After` = the earliest one is back.
    ///
    /// Runs for every request: the common cases (one name, one deployment or a few weighted
    /// ones) allocate nothing but the routes.
    public func chain(
        for name: String, overridingFallbacks: [String]?, preferring: String? = nil
    ) throws(GatewayError) -> [ModelRoute] {
        let primary = try target(name)
        var planner = Planner(now: now, preferring: preferring)
        let fallbacks = overridingFallbacks ?? primary.fallbacks
        if fallbacks.allSatisfy({ $0 == name }) {
            planner.add(primary, named: name)
        } else {
            // Every name is resolved before any deployment is admitted (which may take a
            // half-open probe): an unknown fallback refuses the request untouched.
            var targets = [(name, primary)]
            for fallback in fallbacks where fallback != name {
                do {
                    targets.append((fallback, try target(fallback)))
                } catch {
                    throw GatewayError(
                        status: 400, type: .invalidRequest,
                        message: "fallback \"\(fallback)\": \(error.message)", param: "fallbacks")
                }
            }
            for (name, target) in targets { planner.add(target, named: name) }
        }
        guard planner.routes.isEmpty else { return planner.routes }
        let wait = max(0, planner.earliest - planner.time)
        if planner.allRateLimited {
            return try failFast(
                .rateLimited(
                    "every deployment of \"\(name)\" is cooling down after rate limits", retryAfterSeconds: wait))
        }
        let seconds = max(1, Int(min(wait, 86_400).rounded(.up)))
        return try failFast(
            GatewayError(
                status: 503, type: .upstreamUnavailable,
                message: "every deployment of \"\(name)\" is out (cooling down or breaker open); one is back in "
                    + "\(seconds) s",
                headers: [("Retry-After", String(seconds))]))
    }

    private func failFast(_ error: GatewayError) throws(GatewayError) -> [ModelRoute] { throw error }
}

/// One request's choice of routes, name by name.
private struct Planner {
    let now: @Sendable () -> Double
    let preferring: String?
    var routes: [ModelRoute] = []
    /// The earliest time a deployment that is out comes back.
    var earliest = Double.infinity
    /// Every deployment out so far is out for a rate limit.
    var allRateLimited = true
    /// Read when the first alias needs it: a "provider/model" name has no health to judge.
    private var clock: Double?
    /// Seeded when the first draw needs it.
    private var randomSource: RoutingRandom?

    init(now: @escaping @Sendable () -> Double, preferring: String?) {
        self.now = now
        self.preferring = preferring
    }

    var time: Double {
        mutating get {
            if let clock { return clock }
            let time = now()
            clock = time
            return time
        }
    }

    /// The request's random source; hand it back with `randomSource = ` after drawing.
    private func source() -> RoutingRandom { randomSource ?? RoutingRandom() }

    mutating func add(_ target: ModelCatalog.Target, named name: String) {
        let start = routes.count
        switch target {
        case .alias(let alias):
            plan(alias, named: name)
        case .provider(let provider, let model, let keys):
            if routes.isEmpty { routes.reserveCapacity(keys) }
            var first = 0
            if keys > 1 {
                var random = source()
                first = Int.random(in: 0..<keys, using: &random)
                randomSource = random
            }
            for step in 0..<keys {
                routes.append(
                    ModelRoute(
                        name: name, provider: provider, model: model, fallbacks: [], keyIndex: (first + step) % keys))
            }
        }
        // Deployments of one name try each other before any retry of their own.
        if routes.count - start > 1 {
            for i in start..<(routes.count - 1) { routes[i].siblingFollows = true }
        }
    }

    private mutating func out(_ admission: Deployment.Admission) {
        guard let until = admission.outUntil else { return }
        earliest = min(earliest, until)
        if !admission.rateLimited { allRateLimited = false }
    }

    private mutating func append(_ deployment: Deployment, of alias: ModelCatalog.Alias, named name: String) {
        routes.append(
            ModelRoute(
                name: name, provider: deployment.provider, model: deployment.model, fallbacks: alias.fallbacks,
                keyIndex: deployment.keyIndex, deployment: deployment))
    }

    /// `alias`'s deployments that are in, in its strategy's order; the ones out are noted
    /// with when they are back.
    private mutating func plan(_ alias: ModelCatalog.Alias, named name: String) {
        let deployments = alias.deployments
        let time = self.time
        if routes.isEmpty { routes.reserveCapacity(deployments.count) }
        // The one-deployment form (most aliases): no choice to make.
        if deployments.count == 1 {
            let admission = deployments[0].admit(at: time)
            if admission.outUntil == nil { append(deployments[0], of: alias, named: name) } else { out(admission) }
            return
        }
        guard deployments.count <= DeploymentPicker.maxDrawn,
            alias.strategy == .weighted || alias.strategy == .priority
        else {
            planByPicker(alias, named: name, at: time)
            return
        }
        // Each deployment is admitted once (taking a half-open probe, as every one that is in
        // is tried); the set that is in is a bit mask, and the routes go straight in.
        var available: UInt64 = 0
        for (index, deployment) in deployments.enumerated() {
            let admission = deployment.admit(at: time)
            if admission.outUntil == nil { available |= 1 << UInt64(index) } else { out(admission) }
        }
        let start = routes.count
        if alias.strategy == .priority {
            var scan = available
            while scan != 0 {
                append(deployments[scan.trailingZeroBitCount], of: alias, named: name)
                scan &= scan &- 1
            }
        } else if available != 0 {
            var random = source()
            DeploymentPicker.weightedDraws(
                among: available, weight: { deployments[$0].weight }, using: &random,
                visit: { append(deployments[$0], of: alias, named: name) })
            randomSource = random
        }
        preferFirst(from: start)
    }

    /// The strategies that weigh each deployment's numbers (in flight, latency), and aliases
    /// past the picker's bit mask: through `DeploymentPicker.order`.
    private mutating func planByPicker(_ alias: ModelCatalog.Alias, named name: String, at time: Double) {
        var candidates: [DeploymentPicker.Candidate] = []
        var available: [Deployment] = []
        candidates.reserveCapacity(alias.deployments.count)
        available.reserveCapacity(alias.deployments.count)
        for deployment in alias.deployments {
            let admission = deployment.admit(at: time)
            guard admission.outUntil == nil else {
                out(admission)
                continue
            }
            available.append(deployment)
            candidates.append(
                .init(
                    weight: deployment.weight, inFlight: deployment.inFlight, latencySeconds: admission.latencySeconds))
        }
        var random = source()
        let order = DeploymentPicker.order(candidates, strategy: alias.strategy, using: &random)
        randomSource = random
        let start = routes.count
        for index in order { append(available[index], of: alias, named: name) }
        preferFirst(from: start)
    }

    /// The deployment a loop is on goes first while it is in.
    private mutating func preferFirst(from start: Int) {
        guard let preferring,
            let at = routes[start...].firstIndex(where: { $0.deployment?.label == preferring }), at != start
        else { return }
        routes.insert(routes.remove(at: at), at: start)
    }
}
