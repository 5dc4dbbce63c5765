import FuzzSupport
@testable import Gateway
import Glibc

/// The configuration loader: YAML (through Yams) walked against the known keys, values
/// range-checked, cross-checked. A refused file (problems listed) is an ordinary outcome; an
/// accepted one goes on to what the daemon builds from it. The loader reads a path, so each
/// input is written to a file of this process's own.
private let path = "/tmp/switchboard-fuzz-config-\(getpid()).yaml"
private let environment = [
    "OPENAI_API_KEY": "sk-fuzz", "ANTHROPIC_API_KEY": "sk-ant-fuzz", "GEMINI_API_KEY": "gm-fuzz",
    "SWITCHBOARD_ADMIN_KEY": "admin-fuzz",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let file = fopen(path, "w") else { fatalError("cannot write \(path)") }
    fuzzExpect(size == 0 || fwrite(data, 1, size, file) == size, "short write to \(path)")
    fclose(file)
    guard let configuration = try? GatewayConfiguration.load(path: path, environment: environment) else { return 0 }
    fuzzExpect((0...65535).contains(configuration.listen.port), "port \(configuration.listen.port) accepted")
    _ = GatewayDaemon.snapshot(from: configuration)
    _ = GatewayDaemon.serverConfiguration(from: configuration, openFileLimit: 20_000)
    return 0
}
