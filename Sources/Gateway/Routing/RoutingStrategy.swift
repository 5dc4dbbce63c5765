/// How an alias spreads its requests over its deployments (`models.<alias>.strategy`).
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Weighted random: each deployment's share is its weight over the sum (the default).
    case weighted
    /// The deployment with the fewest requests in flight.
    case leastBusy = "least_busy"
    /// The deployment with the lowest time to first token (an EWMA); one not yet measured first.
    case lowestLatency = "lowest_latency"
    /// The first healthy deployment in the listed order.
    case priority

    /// "weighted, least_busy, lowest_latency or priority", for configuration errors.
    public static let wordList = "weighted, least_busy, lowest_latency or priority"
}
