import ChatModel
import Synchronization
import Testing

@testable import Gateway

/// Cool-downs learned from another daemon (issue 16 §2): the pure health event, the message
/// on the Redis channel, and the catalog applying it to every matching deployment.
@Suite("Cool-downs shared between daemons")
struct SharedCooldownTests {
    func out(_ h: inout DeploymentHealth, until: Double, why: DeploymentHealth.OutElsewhere, now: Double) -> Bool {
        h.outElsewhere(until: until, why: why, now: now)
    }

    @Test func aHealthyDeploymentCoolsUntilTheOtherDaemonsTime() {
        var h = DeploymentHealth()
        #expect(out(&h, until: 105, why: .rateLimited, now: 100))
        #expect(h.state == .cooling(until: 105, rateLimited: true))
        #expect(h.availability(now: 104.9) == .out(until: 105))
        let (availability, changed) = h.admit(now: 105)
        #expect(availability == .available)
        #expect(changed)
        #expect(h.state == .healthy)
        // The breaker's window and the failures in a row are this daemon's own judgement.
        #expect(h.recentCount == 0)
        #expect(h.failuresInARow == 0)
    }

    @Test func aTimeAlreadyPastOrNotFiniteChangesNothing() {
        var h = DeploymentHealth()
        #expect(!out(&h, until: 99, why: .failed, now: 100))
        #expect(!out(&h, until: 100, why: .failed, now: 100))
        #expect(!out(&h, until: .nan, why: .failed, now: 100))
        #expect(!out(&h, until: .infinity, why: .failed, now: 100))
        #expect(h.state == .healthy)
    }

    @Test func anEarlierEndNeverShortensOneAndALaterOneExtendsIt() {
        var h = DeploymentHealth()
        h.record(.rateLimited(retryAfterSeconds: 10), now: 100)
        #expect(!out(&h, until: 105, why: .failed, now: 100))
        #expect(h.state == .cooling(until: 110, rateLimited: true))
        #expect(out(&h, until: 120, why: .failed, now: 100))
        // Still a rate limit's cool-down: a success here does not end it early.
        #expect(h.state == .cooling(until: 120, rateLimited: true))
        h.record(.success(latencySeconds: 0.1), now: 101)
        #expect(h.state == .cooling(until: 120, rateLimited: true))
    }

    @Test func aFailuresCoolDownFromElsewhereEndsOnALocalSuccess() {
        var h = DeploymentHealth()
        #expect(out(&h, until: 130, why: .failed, now: 100))
        #expect(h.state == .cooling(until: 130, rateLimited: false))
        h.record(.success(latencySeconds: 0.1), now: 101)
        #expect(h.state == .healthy)
    }

    @Test func anOpenBreakerIsExtendedAndAHalfOpenOneCools() {
        var policy = HealthPolicy()
        policy.minRequests = 1
        policy.window = 1
        policy.openSeconds = 10
        var h = DeploymentHealth(policy: policy)
        h.record(.failed, now: 100)
        #expect(h.state == .open(until: 110))
        #expect(out(&h, until: 115, why: .open, now: 101))
        #expect(h.state == .open(until: 115))
        _ = h.admit(now: 115)
        #expect(h.state == .halfOpen(probeSince: 115))
        #expect(out(&h, until: 125, why: .open, now: 116))
        #expect(h.state == .cooling(until: 125, rateLimited: false))
    }

    @Test func aHintBeyondAnHourIsHeldToAnHour() {
        var h = DeploymentHealth()
        #expect(out(&h, until: 1e12, why: .rateLimited, now: 0))
        #expect(h.state == .cooling(until: HealthPolicy.longestOut, rateLimited: true))
    }

    @Test func outReasonNamesWhatToTell() {
        var h = DeploymentHealth()
        #expect(h.outReason == nil)
        h.record(.rateLimited(retryAfterSeconds: 2), now: 10)
        #expect(h.outReason?.until == 12)
        #expect(h.outReason?.why == .rateLimited)
        var failed = DeploymentHealth()
        failed.record(.failed, now: 10)
        #expect(failed.outReason?.why == .failed)
    }

    @Test func aMessageRoundTripsAndAnythingMalformedIsRefused() {
        let message = CooldownMessage(
            node: "n1", why: .open, untilMillis: 1_800_000_000_000, provider: "anthropic", keyIndex: 1,
            model: "claude-haiku-4-5")
        #expect(CooldownMessage(payload: message.payload) == message)
        for bad in [
            "", "v2\nn1\nopen\n1\na\n0\nm", "v1\n\nopen\n1\na\n0\nm", "v1\nn1\nbroken\n1\na\n0\nm",
            "v1\nn1\nopen\n-1\na\n0\nm", "v1\nn1\nopen\n99999999999999999999\na\n0\nm",
            "v1\nn1\nopen\n1\na\n10001\nm", "v1\nn1\nopen\n1\n\n0\nm", "v1\nn1\nopen\n1\na\n0\n",
            "v1\nn1\nopen\n1\na\n0\nm\nextra", "v1\nn1\nopen\nx\na\n0\nm",
        ] {
            #expect(CooldownMessage(payload: bad) == nil, "\(bad.debugDescription)")
        }
    }

    @Test func clocksConvertBothWays() {
        let until = CooldownMessage.unixMillis(of: 12.5, nowMonotonic: 10, nowMillis: 1_000_000)
        #expect(until == 1_002_500)
        let message = CooldownMessage(
            node: "n", why: .failed, untilMillis: until, provider: "p", keyIndex: 0, model: "m")
        #expect(message.monotonicUntil(nowMonotonic: 500, nowMillis: 1_000_500) == 502)
        // Out-of-range ends are clamped into the message's range, never trapped.
        #expect(CooldownMessage.unixMillis(of: .infinity, nowMonotonic: 0, nowMillis: 5) == 5)
        #expect(CooldownMessage.unixMillis(of: 1e30, nowMonotonic: 0, nowMillis: 5) == CooldownMessage.latestMillis)
        #expect(CooldownMessage.unixMillis(of: -1e30, nowMonotonic: 0, nowMillis: 5) == 0)
    }

    final class Clock: Sendable {
        let seconds = Mutex(100.0)
        var now: Double { seconds.withLock { $0 } }
    }

    @Test func theCatalogTakesOutEveryAliassDeploymentOfThatKeyAndModel() {
        let clock = Clock()
        let now: @Sendable () -> Double = { clock.now }
        func deployment(_ alias: String, _ provider: String, key: Int = 0, _ model: String) -> Deployment {
            Deployment(alias: alias, provider: provider, keyIndex: key, model: model, weight: 1, now: now)
        }
        let fast = [deployment("fast", "a", "m"), deployment("fast", "b", "m")]
        let other = [
            deployment("other", "a", "m"), deployment("other", "a", key: 1, "m"), deployment("other", "a", "n"),
        ]
        var catalog = ModelCatalog(
            aliases: ["fast": .init(deployments: fast), "other": .init(deployments: other)],
            enabledProviders: ["a", "b"])
        catalog.now = now
        let message = CooldownMessage(
            node: "elsewhere", why: .rateLimited, untilMillis: 1_003_000, provider: "a", keyIndex: 0, model: "m")
        #expect(catalog.outElsewhere(message, nowMillis: 1_000_000) == 2)
        #expect(fast[0].availability(at: 100) == .out(until: 103))
        #expect(other[0].availability(at: 100) == .out(until: 103))
        #expect(fast[1].availability(at: 100) == .available)
        #expect(other[1].availability(at: 100) == .available)
        #expect(other[2].availability(at: 100) == .available)
    }
}
