import Dispatch
import HTTPServer
import Logging
import Reactor
import Redis

extension GatewayDaemon {
    /// The Redis limits backend the configuration asks for, or nil for local limits.
    static func sharedLimits(_ configuration: GatewayConfiguration, loops: Int, logger: Logger) -> SharedLimits? {
        let settings = configuration.sharedLimits
        guard settings.backend == .redis, let url = settings.url, let endpoint = try? RedisEndpoint.parse(url).get()
        else { return nil }
        logger.info("limits: shared through redis \(endpoint) (on_unavailable: \(settings.onUnavailable.rawValue))")
        // Unguessable and unique per process: two daemons' request ids never meet in Redis.
        let nodeId = String(RequestID.make().dropFirst(4).prefix(12))
        // Two connections per loop count for `/readyz`: the keys' (`SharedLimitsClient`) and
        // the providers' (`SharedRoutingClient`); Redis is up when all are.
        return SharedLimits(settings: settings, endpoint: endpoint, nodeId: nodeId, loopCount: loops * 2) {
            warning, message in
            if warning { logger.warning("\(message)") } else { logger.info("\(message)") }
        }
    }

    /// Sends the token corrections that wait on each loop for their key's next admission and
    /// waits (at most `timeoutSeconds`) for Redis to take them: a stopping daemon leaves each
    /// key's window counting what its requests really used. Not on a loop.
    static func flushCorrections(_ shared: SharedLimits, loops: [EventLoop], timeoutSeconds: Double) {
        let flushed = DispatchSemaphore(value: 0)
        for loop in loops {
            loop.execute { SharedLimitsClient.forLoop(loop, shared: shared).flushCorrections { flushed.signal() } }
        }
        let deadline = DispatchTime.now() + timeoutSeconds
        for _ in loops where flushed.wait(timeout: deadline) == .timedOut { break }
    }

    /// Each loop's connection for provider limits and cool-downs; the first loop's also
    /// listens for the other daemons' cool-downs and applies them to the live catalog.
    static func startSharedRouting(_ shared: SharedLimits, loops: [EventLoop], state: GatewayState) {
        for (i, loop) in loops.enumerated() {
            var listener: (@Sendable (CooldownMessage) -> Void)?
            if i == 0 {
                listener = { @Sendable message in
                    state.snapshot.catalog.outElsewhere(message, nowMillis: WallClock.unixMillis())
                }
            }
            let heard = listener
            loop.execute { SharedRoutingClient.forLoop(loop, shared: shared).start(listener: heard) }
        }
    }
}
