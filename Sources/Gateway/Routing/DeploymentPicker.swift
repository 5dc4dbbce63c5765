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
        var order: [Int] = []
        order.reserveCapacity(candidates.count)
        guard candidates.count <= maxDrawn else { return longWeightedOrder(candidates, using: &random) }
        let all: UInt64 = candidates.count == maxDrawn ? .max : (1 << UInt64(candidates.count)) - 1
        weightedDraws(among: all, weight: { candidates[$0].weight }, using: &random, visit: { order.append($0) })
        return order
    }

    /// `weightedOrder` past `maxDrawn` candidates, with the set left as an array.
    static func longWeightedOrder<R: RandomNumberGenerator>(
        _ candidates: [Candidate], using random: inout R
    ) -> [Int] {
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

    /// The most choices `weightedDraws` takes: a set of them is one word.
    static let maxDrawn = 64

    /// The draws of `weightedOrder` among the indices whose bits are set in `eligible`, each
    /// handed to `visit` as it is drawn: the set left is a bit mask, so a request's choice
    /// allocates nothing. Indices with a weight that is not positive follow in index order.
    @inline(__always)
    static func weightedDraws<R: RandomNumberGenerator>(
        among eligible: UInt64, weight: (Int) -> Double, using random: inout R, visit: (Int) -> Void
    ) {
        var left: UInt64 = 0
        var total = 0.0
        var scan = eligible
        while scan != 0 {
            let index = scan.trailingZeroBitCount
            scan &= scan &- 1
            if weight(index) > 0 {
                left |= 1 << UInt64(index)
                total += weight(index)
            }
        }
        let unweighted = eligible & ~left
        while left != 0 {
            var draw = Double.random(in: 0..<1, using: &random) * total
            var chosen = UInt64.bitWidth - 1 - left.leadingZeroBitCount  // rounding at the top end lands on the last
            scan = left
            while scan != 0 {
                let index = scan.trailingZeroBitCount
                scan &= scan &- 1
                draw -= weight(index)
                if draw < 0 {
                    chosen = index
                    break
                }
            }
            left &= ~(1 << UInt64(chosen))
            total -= weight(chosen)
            visit(chosen)
        }
        scan = unweighted
        while scan != 0 {
            visit(scan.trailingZeroBitCount)
            scan &= scan &- 1
        }
    }
}
