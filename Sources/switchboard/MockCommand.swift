import ArgumentParser
import Dispatch
import Emulator
import Foundation
import Gateway
import HTTPServer
import Logging
import Reactor

/// `switchboard mock`: the provider emulator (OpenAI, Anthropic and Gemini wire formats) that
/// tests, benchmarks and demos use instead of the real providers.
struct Mock: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the provider emulator (OpenAI, Anthropic and Gemini wire formats).")

    @OptionGroup var listenOptions: ListenOptions

    @Option(help: "Directory of provider captures to replay (default: ./Tests/Fixtures or ./fixtures when present).")
    var fixtures: String?

    @Option(help: "Event loops (0 = one per core).")
    var loops: Int = 0

    @Option(help: "Log level.")
    var logLevel: String = "warning"

    func run() throws {
        let logger = bootstrapLogging(level: logLevel, label: "switchboard.mock")
        let (host, port) = try parseListen(listenOptions.listen ?? "127.0.0.1:9090")
        let fixturesDirectory = fixtures ?? Self.defaultFixtures()
        let emulator = ProviderEmulator(fixturesDirectory: fixturesDirectory, logger: logger)
        var serverConfig = HTTPServerConfiguration()
        serverConfig.host = host
        serverConfig.port = port
        serverConfig.maxConnections = 20_000
        let group = try EventLoopGroup(count: loops > 0 ? loops : ProcessInfo.processInfo.activeProcessorCount)
        group.start()
        let server = HTTPServer(configuration: serverConfig, group: group, handler: emulator.handler, logger: logger)
        let bound = try server.start()
        logger.notice(
            "provider emulator listening on \(host):\(bound)",
            metadata: ["fixtures": "\(fixturesDirectory ?? "none")"])
        try writeReadyFile(listenOptions.readyFile, port: bound)
        waitForTerminationSignal()
        server.stopAccepting()
        server.closeAll()
        group.shutdown()
    }

    static func defaultFixtures() -> String? {
        for candidate in ["Tests/Fixtures", "fixtures"] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), isDirectory.boolValue {
                return URL(fileURLWithPath: candidate).standardizedFileURL.path
            }
        }
        return nil
    }
}

/// Splits "host:port" (IPv6 as "[::1]:8080").
func parseListen(_ text: String) throws -> (String, Int) {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
        (0...65535).contains(port)
    else {
        throw ValidationError("--listen must be host:port, got \"\(text)\"")
    }
    var host = String(text[..<colon])
    if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    return (host.isEmpty ? "127.0.0.1" : host, port)
}

func writeReadyFile(_ path: String?, port: Int) throws {
    guard let path else { return }
    let temporary = path + ".tmp"
    try "\(port)\n".write(toFile: temporary, atomically: false, encoding: .utf8)
    try FileManager.default.moveItem(atPath: temporary, toPath: path)
}

/// Blocks the calling thread until SIGTERM or SIGINT.
func waitForTerminationSignal() {
    let semaphore = DispatchSemaphore(value: 0)
    var sources: [DispatchSourceSignal] = []
    for sig in [SIGTERM, SIGINT] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler { semaphore.signal() }
        source.resume()
        sources.append(source)
    }
    semaphore.wait()
    sources.forEach { $0.cancel() }
}
