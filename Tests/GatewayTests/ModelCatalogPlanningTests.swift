import ChatModel
import Synchronization
import Testing

@testable import Gateway

/// Choosing the routes of a request over an alias's deployments, with a manual clock.
@Suite("Model catalog: planning over deployments")
struct ModelCatalogPlanningTests {
    final class Clock: Sendable {
        let seconds = Mutex(100.0)
        var now: Double { seconds.withLock { $0 } }
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
    }

    let clock = Clock()

    func catalog(
        strategy: RoutingStrategy = .priority, fallbacks: [String] = [], policy: HealthPolicy = HealthPolicy()
    ) -> ModelCatalog {
        let clock = self.clock
        let now: @Sendable () -> Double = { clock.now }
        let deployments = ["a", "b"].map {
            Deployment(alias: "fast", provider: $0, model: "m", weight: 1, policy: policy, now: now)
        }
        var catalog = ModelCatalog(
            aliases: [
                "fast": .init(strategy: strategy, deployments: deployments, fallbacks: fallbacks),
                "spare": .init(provider: "c", model: "n"),
            ],
            enabledProviders: ["a", "b", "c", "pool"])
        catalog.keyCounts = ["pool": 3]
        catalog.now = now
        return catalog
    }

    @Test func deploymentsInOrderThenFallbacksAndSiblingsMarked() throws {
        let routes = try catalog(fallbacks: ["spare"]).chain(for: "fast", overridingFallbacks: nil)
        #expect(routes.map(\.provider) == ["a", "b", "c"])
        #expect(routes.map(\.siblingFollows) == [true, false, false])
        #expect(routes.map(\.name) == ["fast", "fast", "spare"])
        #expect(routes[0].deployment?.label == "a/m")
    }

    @Test func aCoolingDeploymentIsLeftOutUntilItsTime() throws {
        let catalog = catalog()
        let a = catalog.aliases["fast"]!.deployments[0]
        a.attemptStarted()
        a.attemptEnded(.rateLimited(retryAfterSeconds: 2))
        #expect(try catalog.chain(for: "fast", overridingFallbacks: nil).map(\.provider) == ["b"])
        clock.advance(2)
        #expect(try catalog.chain(for: "fast", overridingFallbacks: nil).map(\.provider) == ["a", "b"])
    }

    @Test func allOutFailsFast429WhenRateLimitedElse503() throws {
        let catalog = catalog()
        for (i, d) in catalog.aliases["fast"]!.deployments.enumerated() {
            d.attemptStarted()
            d.attemptEnded(.rateLimited(retryAfterSeconds: Double(3 + i)))
        }
        do {
            _ = try catalog.chain(for: "fast", overridingFallbacks: nil)
            Issue.record("expected a fast failure")
        } catch {
            #expect(error.status == 429)
            #expect(error.headers.first { $0.name == "Retry-After" }?.value == "3")
        }
        // A fallback is tried instead of failing.
        #expect(try catalog.chain(for: "fast", overridingFallbacks: ["spare"]).map(\.provider) == ["c"])
        let b = catalog.aliases["fast"]!.deployments[1]
        b.attemptStarted()
        b.attemptEnded(.failed)
        do {
            _ = try catalog.chain(for: "fast", overridingFallbacks: nil)
            Issue.record("expected a fast failure")
        } catch {
            #expect(error.status == 503)
            #expect(error.type == .upstreamUnavailable)
            #expect(error.headers.first { $0.name == "Retry-After" }?.value == "3")
        }
    }

    /// Weighted aliases are planned without the picker's arrays: the same shares.
    @Test func weightedDeploymentsShareTheFirstPlaceByWeight() throws {
        let now: @Sendable () -> Double = { 100 }
        let deployments = [("a", 70.0), ("b", 30.0), ("c", 0.0)].map {
            Deployment(alias: "w", provider: $0.0, model: "m", weight: $0.1, now: now)
        }
        var catalog = ModelCatalog(
            aliases: ["w": .init(strategy: .weighted, deployments: deployments)], enabledProviders: ["a", "b", "c"])
        catalog.now = now
        var firsts: [String: Int] = [:]
        for _ in 0..<4_000 {
            let routes = try catalog.chain(for: "w", overridingFallbacks: nil)
            #expect(Set(routes.map(\.provider)) == ["a", "b", "c"])
            #expect(routes.last?.provider == "c")
            #expect(routes.map(\.siblingFollows) == [true, true, false])
            firsts[routes[0].provider, default: 0] += 1
        }
        // Binomial σ at p = 0.7 over 4,000 draws is about 29: ±200 is about 7σ.
        #expect(abs(firsts["a", default: 0] - 2_800) < 200)
        #expect(firsts["c"] == nil)
        // One out: the others only, still in weighted order; the preferred one first while in.
        deployments[0].attemptStarted()
        deployments[0].attemptEnded(.rateLimited(retryAfterSeconds: 5))
        #expect(try catalog.chain(for: "w", overridingFallbacks: nil).map(\.provider) == ["b", "c"])
        #expect(
            try catalog.chain(for: "w", overridingFallbacks: nil, preferring: "c/m").map(\.provider) == ["c", "b"])
    }

    @Test func aPreferredDeploymentGoesFirstWhileItIsIn() throws {
        let catalog = catalog()
        #expect(
            try catalog.chain(for: "fast", overridingFallbacks: nil, preferring: "b/m").map(\.provider) == ["b", "a"])
        let b = catalog.aliases["fast"]!.deployments[1]
        b.attemptStarted()
        b.attemptEnded(.failed)
        #expect(try catalog.chain(for: "fast", overridingFallbacks: nil, preferring: "b/m").map(\.provider) == ["a"])
    }

    @Test func theHalfOpenProbeGoesToOneRequestOnly() throws {
        var policy = HealthPolicy()
        policy.window = 1
        policy.minRequests = 1
        policy.openSeconds = 5
        let catalog = catalog(policy: policy)
        let a = catalog.aliases["fast"]!.deployments[0]
        a.attemptStarted()
        a.attemptEnded(.failed)
        #expect(a.snapshot.state == .open(until: 105))
        clock.advance(5)
        #expect(try catalog.chain(for: "fast", overridingFallbacks: nil).map(\.provider) == ["a", "b"])
        #expect(try catalog.chain(for: "fast", overridingFallbacks: nil).map(\.provider) == ["b"])
    }

    @Test func providerSlashModelSpreadsOverThePoolsKeys() throws {
        let routes = try catalog().chain(for: "pool/x", overridingFallbacks: nil)
        #expect(Set(routes.map(\.keyIndex)) == [0, 1, 2])
        #expect(routes.map(\.siblingFollows) == [true, true, false])
        #expect(routes.allSatisfy { $0.deployment == nil && $0.model == "x" })
    }

    @Test func everyRouteListsAllDeploymentsWhateverTheirHealth() throws {
        let catalog = catalog(fallbacks: ["spare"])
        let a = catalog.aliases["fast"]!.deployments[0]
        a.attemptStarted()
        a.attemptEnded(.rateLimited(retryAfterSeconds: 60))
        #expect(try catalog.everyRoute(for: "fast", overridingFallbacks: nil).map(\.provider) == ["a", "b", "c"])
    }

    @Test func inFlightIsCountedAndLeastBusyAvoidsTheBusyOne() throws {
        let catalog = catalog(strategy: .leastBusy)
        let a = catalog.aliases["fast"]!.deployments[0]
        a.attemptStarted()
        #expect(a.inFlight == 1)
        for _ in 0..<20 {
            #expect(try catalog.chain(for: "fast", overridingFallbacks: nil).first?.provider == "b")
        }
        a.attemptEnded(.success(latencySeconds: 0.1))
        #expect(a.inFlight == 0)
        #expect(a.snapshot.latencySeconds == 0.1)
    }
}
