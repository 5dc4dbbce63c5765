import HTTPServer
import Logging
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
        return SharedLimits(settings: settings, endpoint: endpoint, nodeId: nodeId, loopCount: loops) {
            warning, message in
            if warning { logger.warning("\(message)") } else { logger.info("\(message)") }
        }
    }
}
