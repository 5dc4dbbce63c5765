import Testing

@testable import Gateway

@Suite("Deployment picker")
struct DeploymentPickerTests {
    typealias C = DeploymentPicker.Candidate

    @Test func priorityIsTheListedOrder() {
        var random = RoutingRandom(seed: 1)
        let order = DeploymentPicker.order(
            [C(weight: 1), C(weight: 9), C(weight: 5)], strategy: .priority, using: &random)
        #expect(order == [0, 1, 2])
    }

    @Test func weightedFirstChoicesFollowTheWeights() {
        var random = RoutingRandom(seed: 42)
        let candidates = [C(weight: 70), C(weight: 20), C(weight: 10)]
        var firsts = [0, 0, 0]
        for _ in 0..<20_000 {
            let order = DeploymentPicker.order(candidates, strategy: .weighted, using: &random)
            #expect(order.sorted() == [0, 1, 2])
            firsts[order[0]] += 1
        }
        // Binomial σ at p = 0.7 over 20,000 draws is about 65: ±500 is over 7σ.
        #expect(abs(firsts[0] - 14_000) < 500)
        #expect(abs(firsts[1] - 4_000) < 500)
        #expect(abs(firsts[2] - 2_000) < 500)
    }

    /// The bit-mask draws (no arrays) are the list-based draws: the same order from the same
    /// random numbers, zero weights and all; and past 64 candidates the list-based ones run.
    @Test func drawsOverABitMaskMatchTheListBasedOnes() {
        var weights = RoutingRandom(seed: 11)
        for count in [1, 2, 3, 7, 64, 65, 100] {
            let candidates = (0..<count).map { _ in C(weight: Double(Int.random(in: 0..<4, using: &weights))) }
            var a = RoutingRandom(seed: UInt64(count))
            var b = RoutingRandom(seed: UInt64(count))
            for _ in 0..<50 {
                let fast = DeploymentPicker.weightedOrder(candidates, using: &a)
                #expect(fast == DeploymentPicker.longWeightedOrder(candidates, using: &b))
                #expect(fast.sorted() == Array(0..<count))
            }
        }
    }

    @Test func weightZeroComesLastInOrder() {
        var random = RoutingRandom(seed: 7)
        for _ in 0..<100 {
            let order = DeploymentPicker.order(
                [C(weight: 0), C(weight: 1), C(weight: 0)], strategy: .weighted, using: &random)
            #expect(order == [1, 0, 2])
        }
    }

    @Test func leastBusyPrefersTheFewestInFlight() {
        var random = RoutingRandom(seed: 3)
        for _ in 0..<100 {
            let order = DeploymentPicker.order(
                [C(weight: 1, inFlight: 5), C(weight: 1, inFlight: 0), C(weight: 1, inFlight: 2)],
                strategy: .leastBusy, using: &random)
            #expect(order == [1, 2, 0])
        }
    }

    @Test func leastBusyTiesGoByWeight() {
        var random = RoutingRandom(seed: 5)
        var firsts = [0, 0]
        for _ in 0..<10_000 {
            let order = DeploymentPicker.order([C(weight: 3), C(weight: 1)], strategy: .leastBusy, using: &random)
            firsts[order[0]] += 1
        }
        #expect(abs(firsts[0] - 7500) < 300)
    }

    @Test func lowestLatencyPrefersTheFastestAndTriesAnUnmeasuredOneFirst() {
        var random = RoutingRandom(seed: 9)
        let measured = DeploymentPicker.order(
            [C(weight: 1, latencySeconds: 0.9), C(weight: 1, latencySeconds: 0.1), C(weight: 1, latencySeconds: 0.5)],
            strategy: .lowestLatency, using: &random)
        #expect(measured == [1, 2, 0])
        let fresh = DeploymentPicker.order(
            [C(weight: 1, latencySeconds: 0.1), C(weight: 1, latencySeconds: nil)], strategy: .lowestLatency,
            using: &random)
        #expect(fresh == [1, 0])
    }

    @Test func emptyAndSingle() {
        var random = RoutingRandom(seed: 11)
        for strategy in RoutingStrategy.allCases {
            #expect(DeploymentPicker.order([], strategy: strategy, using: &random).isEmpty)
            #expect(DeploymentPicker.order([C(weight: 2)], strategy: strategy, using: &random) == [0])
        }
    }
}
