import Foundation
import TestSupport

/// A `/v1/loops` stream read by the real curl as it arrives: curl runs in the background
/// writing to a file, and the test polls the events so far while it posts tool results on
/// other connections.
final class LoopStream: @unchecked Sendable {
    let process = ChildProcess()
    private let dir = TempDir()
    private let output: String

    init(_ daemon: SwitchboardProcess, body: String, headers: [String: String] = [:]) throws {
        output = dir.path("stream")
        let request = dir.write("request", body)
        var args = [
            "-sS", "-N", "--max-time", "60", "-D", dir.path("headers"), "-o", output, "--data-binary", "@" + request,
            "-H", "Content-Type: application/json",
        ]
        for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
        args.append(daemon.baseURL + "/v1/loops")
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = args
        try process.run()
    }

    var text: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
    var events: [(event: String, data: String)] { sseEvents(text) }

    /// The status line's code, once the head arrived.
    var status: Int? {
        let head = (try? String(contentsOfFile: dir.path("headers"), encoding: .utf8)) ?? ""
        return head.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    /// Waits until `count` events named `name` arrived (or the stream ended); their data objects.
    @discardableResult
    func wait(for name: String, count: Int = 1, timeout: Double = 15) -> [[String: Any]] {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let found = events.filter { $0.event == name }.compactMap { jsonObject($0.data) }
            if found.count >= count || !process.isRunning || Date() > deadline {
                // Once curl exits the file is complete: read it one last time.
                return process.isRunning ? found : events.filter { $0.event == name }.compactMap { jsonObject($0.data) }
            }
            usleep(10_000)
        }
    }

    /// Waits for curl to exit (the daemon ended the stream); false on timeout.
    func waitForEnd(timeout: Double = 15) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        return !process.isRunning
    }

    /// The client goes away mid-loop.
    func disconnect() {
        kill(process.processIdentifier, SIGKILL)
        _ = waitForEnd(timeout: 5)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
