import Foundation
import Testing

/// `switchboard chat` as a person and a script use it.
@Suite("switchboard chat, end to end")
struct ChatCLIEndToEndTests {
    func chat(_ daemon: SwitchboardProcess, _ args: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(Repo.binary, ["chat"] + args, environment: ["PATH": "/usr/bin:/bin", "SWITCHBOARD_URL": daemon.baseURL,
                                                           "HOME": NSTemporaryDirectory()], stdin: stdin)
    }

    @Test func oneShotPrintsTheAnswerAsItStreams() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let result = try chat(daemon, ["-m", "openai/text+chunks=3", "hello", "there"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "w0 w1 w2\n")
        let tools = try chat(daemon, ["-m", "anthropic/tools+calls=2"], stdin: "weather?\n")
        #expect(tools.status == 0)
        #expect(tools.stdout.components(separatedBy: "→ tool call get_weather(").count == 3)
    }

    @Test func jsonPrintsTheRawEvents() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let result = try chat(daemon, ["-m", "gemini/text+chunks=2", "--json", "hi"])
        #expect(result.status == 0)
        let events = result.stdout.split(separator: "\n").compactMap { jsonObject(String($0))?["event"] as? String }
        #expect(events.first == "start")
        #expect(Array(events.suffix(2)) == ["usage", "done"])
    }

    @Test func errorsAreClear() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let unknown = try chat(daemon, ["-m", "nope", "hi"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("404"))
        #expect(unknown.stderr.contains("unknown model"))
        let down = try run(Repo.binary, ["chat", "-m", "openai/text", "--url", "http://127.0.0.1:9", "hi"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(down.status != 0)
        #expect(down.stderr.contains("cannot reach the daemon"))
    }

    @Test func replSwitchesModelsAndCtrlCStopsOnlyTheAnswer() throws {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux script provides the pseudo-terminal")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let shell = """
            (printf 'long one\\n'; sleep 0.8; printf '\\003'; sleep 0.5; printf '/model openai/text+chunks=2\\nafter\\n/usage\\n/exit\\n') \
            | SWITCHBOARD_URL=\(daemon.baseURL) \(script) -qc "\(Repo.binary) chat -m openai/text+chunks=80+interval_ms=40+run=repl1" /dev/null
            """
        let result = try run("/bin/bash", ["-c", shell], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], timeout: 30)
        let screen = result.stdout.replacingOccurrences(of: "\r", with: "")
        #expect(screen.contains("(answer stopped)"), "\(screen)")
        #expect(screen.contains("model: openai/text+chunks=2"))
        #expect(screen.contains("w0 w1\n"))
        #expect(screen.contains("total_tokens="))
        // The daemon cancelled the stopped answer upstream.
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "repl1")
        #expect(seen.first?["client_disconnected"] as? Bool == true)
    }
}
