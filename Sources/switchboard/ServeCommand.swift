import ArgumentParser
import Dispatch
import Foundation
import Gateway
import Logging

/// `switchboard serve`: the daemon. SIGTERM/SIGINT drain and exit 0; SIGHUP reloads the file.
struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway daemon.")

    @Option(
        help: """
            Configuration file (default: $CONFIGURATION_DIRECTORY/config.yaml, /etc/switchboard/config.yaml, \
            or the embedded default).
            """
    )
    var config: String?

    @OptionGroup var listenOptions: ListenOptions

    func run() throws {
        var startEnvironment = ProcessInfo.processInfo.environment
        // --listen is the same override as SWITCHBOARD_LISTEN, so it passes the same validation.
        if let listen = listenOptions.listen { startEnvironment["SWITCHBOARD_LISTEN"] = listen }
        let environment = startEnvironment
        let configuration = try loadOrExit(path: config, environment: environment)
        let secrets = LiveSecrets(configuration.secrets)
        let logger = bootstrapLogging(
            level: configuration.logLevel, label: "switchboard", secrets: secrets,
            format: configuration.logFormat)
        let notifier = SystemdNotifier(environment: environment)
        let daemon = try GatewayDaemon(configuration: configuration, logger: logger)
        let port = try daemon.start()
        logger.notice(
            "listening on \(configuration.listen.host):\(port)",
            metadata: ["source": "\(configuration.source)"])
        logProviders(configuration, logger)
        try writeReadyFile(listenOptions.readyFile, port: port)
        notifier.notifyReady(status: "listening on \(configuration.listen.host):\(port)")

        let stop = DispatchSemaphore(value: 0)
        let watcher = SignalWatcher()
        watcher.on(SIGTERM) { stop.signal() }
        watcher.on(SIGINT) { stop.signal() }
        watcher.on(SIGHUP) {
            notifier.notifyReloading()
            do {
                // A reload reads the file again; the environment is the one the daemon started with.
                let fresh = try GatewayConfiguration.load(path: config, environment: environment)
                // The log learns the new secrets before any request can use them.
                secrets.register(fresh.secrets)
                daemon.reload(fresh)
                logger.notice("configuration reloaded", metadata: ["source": "\(fresh.source)"])
                logProviders(fresh, logger)
            } catch {
                logger.error("reload failed, keeping the running configuration: \(error)")
            }
            notifier.notifyReady(status: "listening on \(configuration.listen.host):\(port)")
        }
        stop.wait()
        notifier.notifyStopping()
        logger.notice(
            "draining in-flight requests", metadata: ["grace_s": "\(configuration.server.shutdownGraceSeconds)"])
        let drained = daemon.drain(graceSeconds: configuration.server.shutdownGraceSeconds)
        logger.notice(drained ? "stopped cleanly" : "grace period over; closed remaining connections")
        withExtendedLifetime(watcher) {}
    }
}

/// Which providers are on, why, and where their settings came from; a warning when none is.
private func logProviders(_ configuration: GatewayConfiguration, _ logger: Logger) {
    let lines = configuration.providerSummary()
    if lines.isEmpty {
        logger.warning(
            "no provider is enabled: set a key variable (OPENAI_API_KEY, …) or list providers: in the file")
    }
    for line in lines { logger.notice("\(line)") }
}

/// Loads and validates the configuration, or prints every problem and exits 1.
func loadOrExit(path: String?, environment: [String: String]) throws -> GatewayConfiguration {
    do {
        return try GatewayConfiguration.load(path: path, environment: environment)
    } catch {
        FileHandle.standardError.write(Data("switchboard: invalid configuration\n\(error)\n".utf8))
        throw ExitCode(1)
    }
}
