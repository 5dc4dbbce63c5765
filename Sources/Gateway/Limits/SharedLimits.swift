import Redis
import Synchronization

/// The Redis limits backend of a daemon (`limits: {backend: redis}`): one connection per event
/// loop, and what the daemon tells about it (`/readyz`, `/metrics`, a log line per outage).
/// Safe from any thread; each loop's `SharedLimitsClient` is confined to that loop.
public final class SharedLimits: Sendable {
    public let settings: SharedLimitsSettings
    let endpoint: RedisEndpoint
    /// Names this daemon's requests in Redis, so two daemons' request ids never collide.
    let nodeId: String
    private let loopCount: Int
    private let connected = Atomic<Int>(0)
    private let outage = Atomic<Bool>(false)
    private let unavailableAdmissions = Atomic<Int>(0)
    private let log: @Sendable (_ warning: Bool, _ message: String) -> Void
    private let address = Mutex<String?>(nil)
    private let clientTags = Atomic<Int>(0)
    /// What each loop keeps its `SharedLimitsClient` and its `SharedRoutingClient` under
    /// (`EventLoop.local`): one of each per loop and per backend.
    let keyClients = LoopLocalKey()
    let routingClients = LoopLocalKey()

    /// A number for the next loop client, unique in this daemon (it names the client's requests).
    func nextClientTag() -> Int { clientTags.wrappingAdd(1, ordering: .relaxed).newValue }

    /// Where other daemons reach this one (`http://host:port`), advertised in Redis for loops
    /// across daemons; set once the server listens.
    public var advertisedAddress: String? {
        get { address.withLock { $0 } }
        set { address.withLock { $0 = newValue } }
    }

    public init(
        settings: SharedLimitsSettings, endpoint: RedisEndpoint, nodeId: String, loopCount: Int,
        log: @escaping @Sendable (_ warning: Bool, _ message: String) -> Void
    ) {
        self.settings = settings
        self.endpoint = endpoint
        self.nodeId = nodeId
        self.loopCount = max(1, loopCount)
        self.log = log
    }

    /// True while a loop's connection to Redis is down.
    public var isDegraded: Bool { connected.load(ordering: .relaxed) < loopCount }

    /// Admissions decided without Redis (local limits under fail_open, 503 under fail_closed).
    public var unavailableTotal: Int { unavailableAdmissions.load(ordering: .relaxed) }

    /// What `/readyz` says while degraded.
    var degradedReason: String {
        switch settings.onUnavailable {
        case .failOpen: return "limits: redis \(endpoint) unreachable, each daemon applies its local limits (fail_open)"
        case .failClosed: return "limits: redis \(endpoint) unreachable, keyed requests are refused (fail_closed)"
        }
    }

    func connectionChanged(up: Bool) {
        if up {
            let now = connected.wrappingAdd(1, ordering: .relaxed).newValue
            if now >= loopCount, outage.exchange(false, ordering: .relaxed) {
                log(false, "limits: redis \(endpoint) is back; shared limits apply again")
            }
        } else {
            connected.wrappingSubtract(1, ordering: .relaxed)
            noteOutage()
        }
    }

    /// An admission that could not reach Redis; the first of an outage is logged.
    func admittedWithoutRedis() {
        unavailableAdmissions.wrappingAdd(1, ordering: .relaxed)
        noteOutage()
    }

    private func noteOutage() {
        if !outage.exchange(true, ordering: .relaxed) { log(true, degradedReason) }
    }
}

/// A key for `EventLoop.local`: its identity is the key.
final class LoopLocalKey: Sendable {}

/// `limits:` of the configuration: where a key's rpm, tpm and concurrency are counted.
public struct SharedLimitsSettings: Sendable, Equatable {
    public enum Backend: String, Sendable { case local, redis }
    public enum OnUnavailable: String, Sendable {
        case failOpen = "fail_open"
        case failClosed = "fail_closed"
    }
    public var backend = Backend.local
    /// `redis://host:port/db`; required with the redis backend.
    public var url: String?
    public var onUnavailable = OnUnavailable.failOpen
    /// How long a request's concurrency slot outlives a daemon that stopped renewing it.
    public var leaseSeconds = 30.0
    /// How long a finished request's real token count may wait to ride with its key's next
    /// admission (0: sent when the request ends). Only for keys without budgets whose request
    /// held no concurrency slot: the count only corrects the estimate `tpm` charged.
    public var correctionDelayMillis = 10
    /// `http://host:port` other daemons reach this one at (loops across daemons); default:
    /// the listen address.
    public var advertise: String?
    public init() {}
}
