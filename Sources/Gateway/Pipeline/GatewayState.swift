import ChatModel
import Pricing
import Providers
import Reactor
import Store
import Synchronization

/// Everything a request needs from the configuration, as one immutable value. A reload
/// swaps the whole snapshot; requests in flight keep the one they started with.
public struct GatewaySnapshot: Sendable {
    public var catalog: ModelCatalog
    public var registry: ProviderRegistry
    /// Interval of the SSE `: keep-alive` comment on idle streams.
    public var keepAliveSeconds: Double
    /// The admin API's key (from the environment variable the configuration names).
    public var adminKey: String? {
        didSet { adminKeyHash = adminKey.map { SHA256.hex($0) } }
    }
    /// SHA-256 of `adminKey`: what every request's key is compared with.
    public private(set) var adminKeyHash: String?
    public var listensOnLoopback: Bool
    /// Lifetime of the Gemini context-cache entries the gateway creates.
    public var geminiCacheTTLSeconds: Int = 600
    /// Bounds and retention of `/v1/loops`.
    public var loopLimits = LoopLimits()
    /// How long a stored `/v1/responses` answer is kept.
    public var responsesRetentionSeconds = 30 * 86_400
    /// This configuration's secrets, blanked out of every upstream error a client sees.
    public var secrets = SecretScrubber.none
    /// The price table and the configuration's `prices:` overrides.
    public var pricer = Pricer()

    public init(
        catalog: ModelCatalog, registry: ProviderRegistry, keepAliveSeconds: Double, adminKey: String? = nil,
        listensOnLoopback: Bool = true
    ) {
        self.catalog = catalog
        self.registry = registry
        self.keepAliveSeconds = keepAliveSeconds
        self.adminKey = adminKey
        adminKeyHash = adminKey.map { SHA256.hex($0) }
        self.listensOnLoopback = listensOnLoopback
    }
}

/// One configuration's snapshot, held by reference: a request takes the handle (one retain)
/// instead of copying the snapshot's thirteen references out and releasing them at its end
/// (~950 instructions a request, issue 13). Immutable: a reload makes a new handle, so a request
/// keeps the snapshot it started with.
public final class SnapshotHandle: Sendable {
    public let value: GatewaySnapshot

    public init(_ value: GatewaySnapshot) { self.value = value }
}

/// The live snapshot plus the daemon-wide flags endpoints read. Safe from any thread.
public final class GatewayState: Sendable {
    private let snapshotBox: Mutex<SnapshotHandle>
    private let drainingFlag = Mutex(false)
    public let metrics: MetricsRegistry
    /// Where usage rows go; nil only in tests that need no database.
    public let usage: (any UsageRecording)?
    /// Virtual keys; nil only in tests that need no database (auth then stays off).
    public let keys: KeyRegistry?
    public let limiter: KeyLimiter
    /// Gemini context caches the gateway created; nil in tests without a database.
    public let contextCaches: ContextCacheStore?
    /// Dollar budgets: every key's spend, and what requests in flight reserve.
    public let budgets: DollarBudgets
    /// The store's state for `/readyz` (kind, what is degraded); nil in tests without a database.
    public let storeHealth: (@Sendable () -> StoreHealth)?
    /// The chat loops (`/v1/loops`) alive or recently ended.
    public let loops = LoopRegistry()
    /// Stored `/v1/responses` answers; nil in tests without a database (nothing is stored).
    public let responses: (any ResponseStoring)?
    /// The last chat requests that ended in an error (`GET /admin/errors`).
    public let recentErrors = RecentErrors()
    /// OpenTelemetry traces; nil when tracing is off.
    public let tracer: Tracer?
    /// The Redis limits backend; nil with local limits (the default).
    public let sharedLimits: SharedLimits?

    public init(
        snapshot: GatewaySnapshot, metrics: MetricsRegistry = MetricsRegistry(), usage: (any UsageRecording)? = nil,
        keys: KeyRegistry? = nil, contextCaches: ContextCacheStore? = nil,
        limiter: KeyLimiter = KeyLimiter(now: { Double(EventLoop.freshMonotonicNanoseconds()) / 1e9 }),
        budgets: DollarBudgets = DollarBudgets(), responses: (any ResponseStoring)? = nil,
        tracer: Tracer? = nil, storeHealth: (@Sendable () -> StoreHealth)? = nil,
        sharedLimits: SharedLimits? = nil
    ) {
        self.responses = responses
        self.tracer = tracer
        self.storeHealth = storeHealth
        self.budgets = budgets
        self.sharedLimits = sharedLimits
        self.snapshotBox = Mutex(SnapshotHandle(snapshot))
        self.metrics = metrics
        self.usage = usage
        self.keys = keys
        self.limiter = limiter
        self.contextCaches = contextCaches
    }

    /// The authenticator for the current snapshot.
    public func authenticator(_ snapshot: GatewaySnapshot) -> Authenticator? {
        keys.map {
            Authenticator(
                registry: $0, adminKey: snapshot.adminKey, adminKeyHash: snapshot.adminKeyHash,
                listensOnLoopback: snapshot.listensOnLoopback)
        }
    }

    /// The authenticator for a request's snapshot: its three fields read through the handle, as
    /// passing `handle.value` copies the whole snapshot (issue 13).
    public func authenticator(_ handle: SnapshotHandle) -> Authenticator? {
        keys.map {
            Authenticator(
                registry: $0, adminKey: handle.value.adminKey, adminKeyHash: handle.value.adminKeyHash,
                listensOnLoopback: handle.value.listensOnLoopback)
        }
    }

    /// Meters one finished chat request: metrics now, a usage row through the batched writer.
    public func record(_ chat: ChatRecord, keyId: String?, loopId: String? = nil) {
        let cost = self.cost(of: chat)
        metrics.recordChat(chat, cost: cost, keyId: keyId)
        recentErrors.note(chat, keyId: keyId, nowMillis: WallClock.unixMillis())
        usage?.record(
            UsageRecord(
                timeMillis: WallClock.unixMillis(), requestId: chat.requestId, keyId: keyId, alias: chat.requestedModel,
                provider: chat.provider, model: chat.model, usage: chat.usage, status: chat.status,
                finishReason: chat.finishReason?.rawValue,
                attempts: chat.attempts, fallbackUsed: chat.fallbackUsed,
                timeToFirstTokenMillis: chat.firstTokenNanos.map { Double($0) / 1e6 },
                totalMillis: Double(chat.totalNanos) / 1e6, loopId: loopId, estimated: chat.usageEstimated,
                costUSD: cost.map(\.usd), priceEntry: cost.flatMap { $0.entry.isEmpty ? nil : $0.entry }))
    }

    /// What a finished request cost at the current snapshot's prices: nil when its model has
    /// no price; 0 with no entry when it used no tokens (refused, or failed before any), as
    /// nothing was billed whatever the model.
    func cost(of chat: ChatRecord) -> Cost? {
        if chat.usage == .zero { return Cost(usd: 0, entry: "") }
        // The execution's lookup when it made one (the answer's `cost_usd` came from it); else
        // the alias that answered (a fallback's own override applies) on its deployment.
        let match =
            chat.priceLookedUp
            ? chat.price
            : currentSnapshot.value.pricer.match(
                alias: chat.fallbackUsed ?? chat.requestedModel, provider: chat.provider, model: chat.model)
        guard let match else { return nil }
        return Cost(usd: match.price.cost(of: chat.usage), entry: match.entry)
    }

    /// A copy of the current snapshot; `currentSnapshot` where a request holds it.
    public var snapshot: GatewaySnapshot { snapshotBox.withLock { $0.value } }
    /// The current snapshot by reference, as a request holds it from start to end.
    public var currentSnapshot: SnapshotHandle { snapshotBox.withLock { $0 } }
    public func replace(_ snapshot: GatewaySnapshot) {
        let handle = SnapshotHandle(snapshot)
        snapshotBox.withLock { $0 = handle }
    }

    /// Set once shutdown begins: readiness fails so load balancers stop sending work.
    public var isDraining: Bool {
        get { drainingFlag.withLock { $0 } }
    }
    public func beginDraining() { drainingFlag.withLock { $0 = true } }
}
