import Synchronization

/// Everything a request needs from the configuration, as one immutable value. A reload
/// swaps the whole snapshot; requests in flight keep the one they started with.
public struct GatewaySnapshot: Sendable {
    public var catalog: ModelCatalog
    public var registry: ProviderRegistry
    /// Interval of the SSE `: keep-alive` comment on idle streams.
    public var keepAliveSeconds: Double

    public init(catalog: ModelCatalog, registry: ProviderRegistry, keepAliveSeconds: Double) {
        self.catalog = catalog
        self.registry = registry
        self.keepAliveSeconds = keepAliveSeconds
    }
}

/// The live snapshot plus the daemon-wide flags endpoints read. Safe from any thread.
public final class GatewayState: Sendable {
    private let snapshotBox: Mutex<GatewaySnapshot>
    private let drainingFlag = Mutex(false)
    public let metrics: MetricsRegistry

    public init(snapshot: GatewaySnapshot, metrics: MetricsRegistry = MetricsRegistry()) {
        self.snapshotBox = Mutex(snapshot)
        self.metrics = metrics
    }

    public var snapshot: GatewaySnapshot { snapshotBox.withLock { $0 } }
    public func replace(_ snapshot: GatewaySnapshot) { snapshotBox.withLock { $0 = snapshot } }

    /// Set once shutdown begins: readiness fails so load balancers stop sending work.
    public var isDraining: Bool {
        get { drainingFlag.withLock { $0 } }
    }
    public func beginDraining() { drainingFlag.withLock { $0 = true } }
}
