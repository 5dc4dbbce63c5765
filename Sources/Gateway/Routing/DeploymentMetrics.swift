/// `/metrics` gauges per alias deployment: state, in-flight count and latency EWMA. The
/// labels come from the configuration (alias, provider, key variable, model): bounded.
enum DeploymentMetrics {
    static func render(_ catalog: ModelCatalog) -> String {
        guard !catalog.aliases.isEmpty else { return "" }
        let now = catalog.now()
        var state =
            "# HELP switchboard_deployment_state Each alias deployment's health: 0 healthy, 1 cooling, 2 open.\n"
        state += "# TYPE switchboard_deployment_state gauge\n"
        var inFlight = "# HELP switchboard_deployment_in_flight Attempts in flight on each alias deployment.\n"
        inFlight += "# TYPE switchboard_deployment_in_flight gauge\n"
        var latency =
            "# HELP switchboard_deployment_latency_seconds Time to first token of each alias deployment (EWMA).\n"
        latency += "# TYPE switchboard_deployment_latency_seconds gauge\n"
        for name in catalog.aliases.keys.sorted() {
            for d in catalog.aliases[name]!.deployments {
                let health = d.snapshot
                var labels = "alias=\"\(escape(name))\",provider=\"\(escape(d.provider))\",model=\"\(escape(d.model))\""
                if let key = d.keyName { labels += ",key=\"\(escape(key))\"" }
                let code: Int
                switch health.state {
                case .healthy: code = 0
                case .cooling(let until, _): code = until > now ? 1 : 0
                case .open, .halfOpen: code = 2
                }
                state += "switchboard_deployment_state{\(labels)} \(code)\n"
                inFlight += "switchboard_deployment_in_flight{\(labels)} \(max(0, d.inFlight))\n"
                if let seconds = health.latencySeconds {
                    latency += "switchboard_deployment_latency_seconds{\(labels)} \(seconds)\n"
                }
            }
        }
        return state + inFlight + latency
    }

    private static func escape(_ s: String) -> String { ChatHistograms.escape(s) }
}
