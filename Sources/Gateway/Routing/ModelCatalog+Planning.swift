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
    public func chain(
        for name: String, overridingFallbacks: [String]?, preferring: String? = nil
    ) throws(GatewayError) -> [ModelRoute] {
        let named = try names(for: name, overridingFallbacks: overridingFallbacks)
        var random = RoutingRandom()
        let time = now()
        var routes: [ModelRoute] = []
        routes.reserveCapacity(named.count + 2)
        var earliest = Double.infinity
        var allRateLimited = true
        for route in named {
            let start = routes.count
            if let alias = aliases[route.name] {
                var out: [(until: Double, rateLimited: Bool)] = []
                plan(
                    alias, named: route.name, at: time, preferring: preferring, random: &random, into: &routes,
                    out: &out)
                for (until, rateLimited) in out {
                    earliest = min(earliest, until)
                    if !rateLimited { allRateLimited = false }
                }
            } else {
                let keys = max(1, keyCounts[route.provider] ?? 1)
                let first = keys == 1 ? 0 : Int.random(in: 0..<keys, using: &random)
                for step in 0..<keys {
                    var keyed = route
                    keyed.keyIndex = (first + step) % keys
                    routes.append(keyed)
                }
            }
            // Deployments of one name try each other before any retry of their own.
            if routes.count - start > 1 {
                for i in start..<(routes.count - 1) { routes[i].siblingFollows = true }
            }
        }
        guard routes.isEmpty else { return routes }
        let wait = max(0, earliest - time)
        if allRateLimited {
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

    /// `alias`'s deployments that are in, in its strategy's order, appended to `routes`; the
    /// ones out are reported in `out` with when they are back.
    private func plan(
        _ alias: Alias, named name: String, at time: Double, preferring: String?, random: inout RoutingRandom,
        into routes: inout [ModelRoute], out: inout [(until: Double, rateLimited: Bool)]
    ) {
        // The one-deployment form (most aliases): no choice to make, nothing to allocate for one.
        if alias.deployments.count == 1, let only = alias.deployments.first {
            guard enabledProviders.contains(only.provider) else { return }
            switch only.admit(at: time) {
            case .available:
                routes.append(
                    ModelRoute(
                        name: name, provider: only.provider, model: only.model, fallbacks: alias.fallbacks,
                        keyIndex: only.keyIndex, deployment: only))
            case .out(let until):
                var rateLimited = false
                if case .cooling(_, true) = only.snapshot.state { rateLimited = true }
                out.append((until, rateLimited))
            }
            return
        }
        var candidates: [DeploymentPicker.Candidate] = []
        var available: [Deployment] = []
        candidates.reserveCapacity(alias.deployments.count)
        available.reserveCapacity(alias.deployments.count)
        for deployment in alias.deployments where enabledProviders.contains(deployment.provider) {
            let health = deployment.snapshot
            switch health.availability(now: time) {
            case .available:
                available.append(deployment)
                candidates.append(
                    .init(
                        weight: deployment.weight, inFlight: deployment.inFlight, latencySeconds: health.latencySeconds)
                )
            case .out(let until):
                var rateLimited = false
                if case .cooling(_, true) = health.state { rateLimited = true }
                out.append((until, rateLimited))
            }
        }
        var order = DeploymentPicker.order(candidates, strategy: alias.strategy, using: &random)
        if let preferring, let at = order.firstIndex(where: { available[$0].label == preferring }) {
            order.insert(order.remove(at: at), at: 0)
        }
        for index in order {
            let deployment = available[index]
            // Taken again under its lock: another request may have had the half-open probe.
            if case .out(let until) = deployment.admit(at: time) {
                out.append((until, false))
                continue
            }
            routes.append(
                ModelRoute(
                    name: name, provider: deployment.provider, model: deployment.model, fallbacks: alias.fallbacks,
                    keyIndex: deployment.keyIndex, deployment: deployment))
        }
    }
}
