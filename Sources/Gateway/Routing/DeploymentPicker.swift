/// The order in which an alias's available deployments are tried, best first, by its
/// strategy. Pure: the caller gives each deployment's numbers and the random source.
/// A handful of deployments: a few comparisons, no measurable time per request.
public enum DeploymentPicker {
    public struct Candidate: Sendable, Equatable {
        public var weight: Double
        public var inFlight: Int
        /// Time to first token (EWMA), nil until measured.
        public var latencySeconds: Double?
        public init(weight: Double, inFlight: Int = 0, latencySeconds: Double? = nil) {
            self.weight = weight
            self.inFlight = inFlight
            self.latencySeconds = latencySeconds
        }
    }

    /// Indices into `candidates`, in the order to try them.
    public static func order<R: RandomNumberGenerator>(
        _ candidates: [Candidate], strategy: RoutingStrategy, using random: inout R
    ) -> [Int] {
        switch strategy {
        case .priority:
            return Array(candidates.indices)
        case .weighted:
            return weightedOrder(candidates, using: &random)
        case .leastBusy:
            // Ties go by weighted chance, so idle deployments share the traffic by weight.
            let tiebreak = weightedOrder(candidates, using: &random)
            return tiebreak.sorted { candidates[$0].inFlight < candidates[$1].inFlight }
        case .lowestLatency:
            // One never measured goes first: it has to be measured once to be judged.
            let tiebreak = weightedOrder(candidates, using: &random)
            return tiebreak.sorted { (candidates[$0].latencySeconds ?? 0) < (candidates[$1].latencySeconds ?? 0) }
        }
    }

    /// Weighted draws without replacement: the first is each one's weight over the sum; the
    /// rest follow the same way among those left. Weight 0 comes last, in the listed order.
    static func weightedOrder<R: RandomNumberGenerator>(_ candidates: [Candidate], using random: inout R) -> [Int] {
        var left = candidates.indices.filter { candidates[$0].weight > 0 }
        var order: [Int] = []
        order.reserveCapacity(candidates.count)
        var total = left.reduce(0.0) { $0 + candidates[$1].weight }
        while !left.isEmpty {
            var draw = Double.random(in: 0..<1, using: &random) * total
            var chosen = left.count - 1  // rounding at the top end lands on the last
            for (position, index) in left.enumerated() {
                draw -= candidates[index].weight
                if draw < 0 {
                    chosen = position
                    break
                }
            }
            let index = left.remove(at: chosen)
            total -= candidates[index].weight
            order.append(index)
        }
        order += candidates.indices.filter { !(candidates[$0].weight > 0) }
        return order
    }
}
