import HTTPServer
import Logging
import Providers
import Reactor
import Store
import Synchronization
import Upstream

/// The running gateway: event loops, the HTTP server, the routes, and the live configuration
/// snapshot. `serve` drives it from signals; tests never construct it directly (they run the
/// binary).
public final class GatewayDaemon: Sendable {
    public let state: GatewayState
    private let group: EventLoopGroup
    private let server: HTTPServer
    private let logger: Logger
    private let stores: Stores
    /// The listen host as other daemons reach it (a wildcard address means this host).
    private let advertisedHost: String

    /// Builds everything from a validated configuration; nothing listens until `start()`.
    public init(configuration: GatewayConfiguration, logger: Logger) throws {
        self.logger = logger
        let host = configuration.listen.host
        advertisedHost =
            host == "0.0.0.0" || host == "::" || host.isEmpty ? "127.0.0.1" : host.contains(":") ? "[\(host)]" : host
        let metrics = MetricsRegistry()
        let stores = try Stores(database: configuration.database, spoolPath: configuration.usageSpool) { error in
            logger.error("usage writer: \(error)")
        }
        logger.info("store: \(stores.location.summary)")
        let usageReader = stores.usageReader
        let openFileLimit = DescriptorBudget.raiseOpenFileLimit()
        let serverConfiguration = Self.serverConfiguration(from: configuration, openFileLimit: openFileLimit)
        let keys = try KeyRegistry(store: stores.keys, initialUsage: try usageReader.totalsByKey())
        // Another daemon changed a key (PostgreSQL): reload them all; on failure the cached
        // keys keep serving and the listener tries again when the server is back.
        try stores.listenForKeyChanges(
            onChange: {
                do { try keys.refresh() } catch { logger.warning("keys not reloaded: \(error)") }
            },
            onError: { error in logger.warning("key-change listener: \(error)") })
        state = GatewayState(
            snapshot: Self.snapshot(from: configuration), metrics: metrics, usage: stores.usageWriter, keys: keys,
            contextCaches: stores.contextCaches, budgets: try DollarBudgets(reader: usageReader),
            responses: stores.responses, tracer: Tracer(configuration.telemetry),
            storeHealth: { stores.health },
            sharedLimits: Self.sharedLimits(configuration, loops: serverConfiguration.loopCount, logger: logger))
        self.stores = stores
        DescriptorExhaustion.shared.setLogger(logger)
        let budget = configuration.descriptorBudget(openFileLimit: openFileLimit)
        if budget.limitedByDescriptors {
            logger.warning("\(budget.explanation)")
        } else {
            logger.info("\(budget.explanation)")
        }
        // Idle pooled upstream connections hold descriptors too: together with the live ones
        // they stay within the cap.
        UpstreamClient.maxPooledConnections = min(1024, max(4, budget.connectionCap / serverConfiguration.loopCount))
        group = try EventLoopGroup(count: serverConfiguration.loopCount)
        let router = Router()
        server = HTTPServer(configuration: serverConfiguration, group: group, handler: router, logger: logger)
        Self.addRoutes(to: router, state: state, server: server, usageReader: usageReader)
        let accessLogger = logger
        server.onAccessRecord = { record in
            metrics.recordRequest(
                route: record.route, status: record.status,
                seconds: Double(record.durationNanos) / 1e9)
            // The metadata is built only for a log that writes it (above `info` the access log
            // is off, and building it costs more than the rest of the record).
            guard accessLogger.logLevel <= .info else { return }
            var metadata: Logger.Metadata = [
                "request_id": "\(record.requestId)", "route": "\(record.route)", "status": "\(record.status)",
                "bytes": "\(record.bytes)", "duration_ms": "\(Double(record.durationNanos / 1000) / 1000)",
            ]
            if let keyId = record.keyId { metadata["key_id"] = "\(keyId)" }
            if let model = record.model { metadata["model"] = "\(model)" }
            accessLogger.info("\(record.method) \(record.path) \(record.status)", metadata: metadata)
        }
    }

    private static func addRoutes(
        to router: Router, state: GatewayState, server: HTTPServer, usageReader: any UsageQuerying
    ) {
        let chat = ChatEndpoint(state: state)
        let admin: @Sendable () -> AdminKeysEndpoint = {
            AdminKeysEndpoint(authenticator: state.authenticator(state.snapshot)!)
        }
        let usage: @Sendable () -> UsageEndpoint = {
            UsageEndpoint(reader: usageReader, authenticator: state.authenticator(state.snapshot)!)
        }
        router.add("GET", "/v1/usage") { request, _, writer in
            usage().handle(request, writer)
        }
        router.add("POST", "/admin/keys") { request, _, writer in
            admin().create(request, writer)
        }
        router.add("GET", "/admin/keys") { request, _, writer in
            admin().list(request, writer)
        }
        router.add("PATCH", "/admin/keys/{id}") { request, params, writer in
            admin().update(request, id: params["id"] ?? "", writer)
        }
        router.add("DELETE", "/admin/keys/{id}") { request, params, writer in
            admin().revoke(request, id: params["id"] ?? "", writer)
        }
        let models = ModelsEndpoint(state: state)
        let operational = OperationalEndpoints(state: state) { [weak server] in
            (server?.openConnections ?? 0, server?.inFlightRequests ?? 0, server?.connectionCap ?? 0)
        }
        router.add("POST", "/v1/chat") { request, _, writer in
            chat.handle(request, writer)
        }
        router.add("POST", "/v1/chat/completions") { request, _, writer in
            chat.handleOpenAI(request, writer)
        }
        router.add("POST", "/v1/messages") { request, _, writer in
            chat.handleAnthropic(request, writer)
        }
        let responses = ResponsesEndpoint(state: state)
        router.add("POST", "/v1/responses") { request, _, writer in
            responses.create(request, writer)
        }
        router.add("GET", "/v1/responses/{id}") { request, params, writer in
            responses.read(request, id: params["id"] ?? "", writer)
        }
        router.add("DELETE", "/v1/responses/{id}") { request, params, writer in
            responses.delete(request, id: params["id"] ?? "", writer)
        }
        router.add("GET", "/v1/responses/{id}/input_items") { request, params, writer in
            responses.inputItems(request, id: params["id"] ?? "", writer)
        }
        let loops = LoopsEndpoint(state: state)
        router.add("POST", "/v1/loops") { request, _, writer in
            loops.create(request, writer)
        }
        router.add("POST", "/v1/loops/{id}/tool_results") { request, params, writer in
            loops.toolResults(request, id: params["id"] ?? "", writer)
        }
        router.add("GET", "/v1/loops/{id}") { request, params, writer in
            loops.transcript(request, id: params["id"] ?? "", writer)
        }
        router.add("DELETE", "/v1/loops/{id}") { request, params, writer in
            loops.delete(request, id: params["id"] ?? "", writer)
        }
        router.add("GET", "/v1/models") { request, _, writer in
            models.handle(request, writer)
        }
        router.add("GET", "/healthz") { request, _, writer in
            operational.health(request, writer)
        }
        router.add("GET", "/readyz") { request, _, writer in
            operational.ready(request, writer)
        }
        router.add("GET", "/metrics") { request, _, writer in
            operational.metrics(request, writer)
        }
        let activity = AdminActivityEndpoint(state: state) { [weak server] in
            (server?.openConnections ?? 0, server?.inFlightRequests ?? 0)
        }
        router.add("GET", "/admin/activity") { request, _, writer in
            activity.activity(request, writer)
        }
        router.add("GET", "/admin/errors") { request, _, writer in
            activity.errors(request, writer)
        }
        let dashboard = DashboardEndpoint()
        router.add("GET", "/ui") { request, _, writer in
            dashboard.page(request, writer)
        }
        router.add("GET", "/ui/app.css") { request, _, writer in
            dashboard.style(request, writer)
        }
        router.add("GET", "/ui/app.js") { request, _, writer in
            dashboard.script(request, writer)
        }
    }

    /// Starts the loops and listens; returns the bound port.
    public func start() throws -> Int {
        state.tracer?.exporter.start()
        group.start()
        let port = try server.start()
        if let shared = state.sharedLimits {
            shared.advertisedAddress = shared.settings.advertise ?? "http://\(advertisedHost):\(port)"
            for (i, loop) in group.loops.enumerated() {
                loop.execute { SharedLimitsClient.forLoop(loop, shared: shared).start(advertising: i == 0) }
            }
            Self.startSharedRouting(shared, loops: group.loops, state: state)
        }
        // A burst's peak otherwise stays resident (glibc keeps freed pages in its arenas).
        let server = self.server, logger = self.logger
        let loops = group.loops
        let shed: @Sendable () -> Void = {
            for loop in loops {
                loop.execute { Self.shedUpstream(on: loop, retriesLeft: 30, logger: logger) }
            }
        }
        let trimmed: @Sendable (UInt64, Bool) -> Void = { nanos, released in
            logger.debug(
                "memory trimmed after load dropped",
                metadata: [
                    "trim_ms": "\(Double(nanos / 1000) / 1000)", "released": "\(released)",
                ])
        }
        MemoryReturn.start(on: group.loops[0], openConnections: { server.openConnections }, shed: shed, onTrim: trimmed)
        return port
    }

    /// Lets `loop`'s upstream client drop what a burst left: spare handles and the idle pool.
    /// A burst's last transfers can still be finishing when its clients are gone (the pool then
    /// stayed open, ~13 MB and a thousand sockets for good); it is tried again each second and
    /// trimmed once closed.
    private static func shedUpstream(on loop: EventLoop, retriesLeft: Int, late: Bool = false, logger: Logger) {
        let client = UpstreamClient.forLoop(loop)
        client.shedSpareHandles(keeping: 8)
        if client.shedIdleConnections(keepingAtMost: 64) {
            if late { MemoryReturn.trim() }
            return
        }
        guard retriesLeft > 0 else {
            logger.debug("upstream pool kept: transfers stayed in flight after load dropped")
            return
        }
        loop.schedule(afterNanoseconds: 1_000_000_000) {
            shedUpstream(on: loop, retriesLeft: retriesLeft - 1, late: true, logger: logger)
        }
    }

    /// Applies a new (already validated) configuration to requests that start from now on.
    /// Listen address and server limits need a restart; they are kept as they are.
    public func reload(_ configuration: GatewayConfiguration) {
        state.replace(Self.snapshot(from: configuration))
    }

    /// Stops accepting, lets in-flight responses finish for up to `graceSeconds`, then closes
    /// what is left. Returns true when everything finished in time.
    public func drain(graceSeconds: Double) -> Bool {
        state.beginDraining()
        state.loops.cancelWaiting()
        server.stopAccepting()
        let drained = server.waitUntilDrained(timeoutSeconds: graceSeconds)
        server.closeAll()
        if let shared = state.sharedLimits { Self.flushCorrections(shared, loops: group.loops, timeoutSeconds: 2) }
        group.shutdown()
        // Every row of every finished request reaches the disk before the process exits.
        stores.shutdown()
        // The last requests' spans go out too, unless the receiver is down.
        state.tracer?.shutdown(timeoutSeconds: 2)
        return drained
    }
}
