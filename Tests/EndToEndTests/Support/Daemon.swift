import Foundation
import TestSupport

/// Where the package lives, found from this file so tests work from any working directory.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static var binary: String {
        ProcessInfo.processInfo.environment["SWITCHBOARD_BIN"]
            ?? root.appendingPathComponent(".build/debug/switchboard").path
    }
    /// The provider captures copied into the repository (`Tests/Fixtures`, provenance beside them).
    static let fixtures: String = root.appendingPathComponent("Tests/Fixtures").path
}

/// A temporary directory removed when the value is released.
final class TempDir: @unchecked Sendable {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sb-e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func write(_ name: String, _ text: String) -> String {
        let p = path(name)
        try? text.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

enum TestFailure: Error, CustomStringConvertible {
    case message(String)
    var description: String { if case .message(let m) = self { return m }; return "" }
}

/// The real `switchboard` binary running as a child process (`serve` or `mock`), on an
/// ephemeral port it reports through `--ready-file`.
final class SwitchboardProcess: @unchecked Sendable {
    let process = ChildProcess()
    let dir = TempDir()
    private(set) var port: Int = 0
    let logPath: String
    /// Things that must live as long as the process (its config directory).
    var attachments: [AnyObject] = []

    /// Starts `switchboard <arguments> --ready-file …` and waits until it listens.
    /// `wrapper`: a command that execs the binary (e.g. `prlimit --nofile=…`), so the process
    /// is still the daemon itself.
    init(
        _ arguments: [String], environment: [String: String] = [:], inheritEnvironment: Bool = false,
        readyTimeout: Double = 30, wrapper: [String] = []
    ) throws {
        let readyFile = dir.path("ready")
        logPath = dir.path("log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? Repo.binary)
        process.arguments =
            Array(wrapper.dropFirst()) + (wrapper.isEmpty ? [] : [Repo.binary])
            + arguments + ["--ready-file", readyFile]
        var env = inheritEnvironment ? ProcessInfo.processInfo.environment : [:]
        env["PATH"] = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        env["HOME"] = dir.url.path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = dir.url
        process.standardOutputPath = logPath
        process.standardErrorPath = logPath
        try process.run()
        let deadline = Date().addingTimeInterval(readyTimeout)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: readyFile, encoding: .utf8),
                let p = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), p > 0
            {
                port = p
                return
            }
            if !process.isRunning {
                throw TestFailure.message(
                    "switchboard \(arguments) exited early (\(process.terminationStatus)): \(self.log())")
            }
            usleep(20_000)
        }
        process.terminate()
        throw TestFailure.message("switchboard \(arguments) did not become ready: \(self.log())")
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    func log() -> String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ sig: Int32) { kill(process.processIdentifier, sig) }

    /// Waits for exit; nil when it is still running after `timeout` seconds.
    func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func stop() {
        guard process.isRunning else { return }
        signal(SIGTERM)
        if waitForExit(timeout: 10) == nil { signal(SIGKILL); _ = waitForExit(timeout: 5) }
    }

    deinit { stop() }
}

/// Runs a command to completion and returns its exit status and output.
@discardableResult
func run(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    stdin: String? = nil, timeout: Double = 60
) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = ChildProcess()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let dir = TempDir()
    let outPath = dir.path("out"), errPath = dir.path("err")
    FileManager.default.createFile(atPath: outPath, contents: nil)
    FileManager.default.createFile(atPath: errPath, contents: nil)
    process.standardOutputPath = outPath
    process.standardErrorPath = errPath
    process.pipesStandardInput = true
    try process.run()
    if let stdin { process.writeToStandardInput(Data(stdin.utf8)) }
    process.closeStandardInput()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(5_000) }
    if process.isRunning {
        process.terminate()
        throw TestFailure.message("\(executable) \(arguments) timed out")
    }
    return (
        process.terminationStatus,
        (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
        (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    )
}
