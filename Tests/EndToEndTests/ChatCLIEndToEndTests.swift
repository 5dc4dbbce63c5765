import Foundation
import Testing

/// `switchboard chat` as a person and a script use it.
@Suite("switchboard chat, end to end")
struct ChatCLIEndToEndTests {
    func chat(_ daemon: SwitchboardProcess, _ args: [String], stdin: String? = nil) throws -> (
        status: Int32, stdout: String, stderr: String
    ) {
        try run(
            Repo.binary, ["chat"] + args,
            environment: [
                "PATH": "/usr/bin:/bin", "SWITCHBOARD_URL": daemon.baseURL,
                "HOME": NSTemporaryDirectory(),
            ], stdin: stdin)
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
        let down = try run(
            Repo.binary, ["chat", "-m", "openai/text", "--url", "http://127.0.0.1:9", "hi"],
            environment: ["PATH": "/usr/bin:/bin"])
        #expect(down.status != 0)
        #expect(down.stderr.contains("cannot reach the daemon"))
    }

    /// Drives `command` through a pseudo-terminal step by step (Support/pty_drive.py): each
    /// step waits for what a person would wait for on the screen, never for a time.
    func drive(_ steps: [Step], _ command: [String], environment: [String: String] = [:]) throws -> (
        screen: String, exit: Int?
    ) {
        let driver = Repo.root.appendingPathComponent("Tests/EndToEndTests/Support/pty_drive.py").path
        let json = String(decoding: try JSONSerialization.data(withJSONObject: steps.map(\.json)), as: UTF8.self)
        let env = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LANG": "C.UTF-8"].merging(environment) {
            $1
        }
        let result = try run("/usr/bin/python3", [driver, json, "--"] + command, environment: env, timeout: 120)
        let screen = result.stdout.replacingOccurrences(of: "\r", with: "")
        #expect(result.status == 0, "\(result.stderr)\n\(screen)")
        let exit = screen.components(separatedBy: "\nEXIT=").last.flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (screen, exit)
    }

    enum Step {
        case send(String), expect(String), signal(Int32, String), waitExit
        var json: [String: Any] {
            switch self {
            case .send(let text): return ["send": text]
            case .expect(let text): return ["expect": text, "timeout": 30]
            case .signal(let sig, let name): return ["signal": Int(sig), "descendant": name]
            case .waitExit: return ["wait_exit": 30]
            }
        }
    }

    static let prompt = "› "

    @Test func replSwitchesModelsAndCtrlCStopsOnlyTheAnswer() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let steps: [Step] = [
            .expect(Self.prompt), .send("long one\r"), .expect("w3 "), .send("\u{03}"), .expect("(answer stopped)"),
            .expect(Self.prompt), .send("long two\r"), .expect("w3 "), .send("\u{03}"), .expect("(answer stopped)"),
            .expect(Self.prompt), .send("/model openai/text+chunks=2\r"), .expect("model: openai/text+chunks=2"),
            .expect(Self.prompt), .send("after\r"), .expect("w0 w1"),
            .expect(Self.prompt), .send("/usage\r"), .expect("total_tokens="),
            .expect(Self.prompt), .send("/exit\r"), .waitExit,
        ]
        let (screen, exit) = try drive(
            steps, [Repo.binary, "chat", "-m", "openai/text+chunks=80+interval_ms=40+run=repl1"],
            environment: ["SWITCHBOARD_URL": daemon.baseURL])
        #expect(exit == 0, "\(screen)")
        // Every answer can be stopped, not just the first of the session.
        #expect(screen.components(separatedBy: "(answer stopped)").count == 3, "\(screen)")
        #expect(screen.contains("w0 w1\n"))
        // The daemon cancelled the stopped answers upstream.
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "repl1")
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { $0["client_disconnected"] as? Bool == true })
    }

    /// The line editor, driven key by key through a pseudo-terminal: what the provider receives
    /// is the proof, so a broken key binding changes a user message and fails here.
    @Test func replEditsLinesAndRecallsHistory() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let esc = "\u{1B}"
        // One group of keys per line.
        let keys = [
            "first\r",  // Enter as CR
            "\(esc)[A\r",  // Up recalls "first"
            "abc\u{01}x\(esc)[Fy\r",  // Ctrl-A, End
            "helo\(esc)ODl\(esc)[4~!!\u{7F}\u{08} world\n",  // Left (SS3), insert, End, Backspace 0x7F and 0x08
            "garbage\u{15}kept\r",  // Ctrl-U
            "keep this\u{01}\(esc)[C\(esc)[C\(esc)[C\(esc)[C\u{0B}\r",  // Right, Ctrl-K
            "one two three\u{17}\u{17}four\r",  // Ctrl-W twice
            "abcd\(esc)[H\(esc)[3~\r",  // Home, Delete
            "wxyz\(esc)[1~\u{04}\r",  // Ctrl-D deletes under the cursor
            "日本é\(esc)[D\(esc)[Dx\r",  // multi-byte text, Left over it
            "discard me\u{03}",  // Ctrl-C at the prompt
            "after ctrl-c\r",
            "draft\(esc)[A\(esc)[A\(esc)[B\(esc)[B\r",  // up into history, back down to the draft
            "a\(esc)[15~b\r",  // an unknown escape sequence (F5) is swallowed
            "\u{04}",  // Ctrl-D on an empty line ends the session
        ]
        // Each group goes in once the previous answer has finished and the next prompt is up,
        // so it reaches the editor in raw mode rather than the terminal's cooked line editing.
        var steps: [Step] = [.expect(Self.prompt)]
        for group in keys {
            steps.append(.send(group))
            if group.hasSuffix("\u{03}") {
                steps += [.expect("^C"), .expect(Self.prompt)]
            } else if group == "\u{04}" {
                steps.append(.waitExit)
            } else {
                steps += [.expect("w0 w1"), .expect(Self.prompt)]
            }
        }
        let (screen, exit) = try drive(
            steps, [Repo.binary, "chat", "-m", "openai/text+chunks=2+run=edit1"],
            environment: ["SWITCHBOARD_URL": daemon.baseURL])
        #expect(exit == 0, "\(screen)")
        #expect(screen.contains("^C"), "\(screen)")
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "edit1")
        let sent = seen.compactMap { request -> String? in
            let messages = (request["body"] as? [String: Any])?["messages"] as? [[String: Any]] ?? []
            return messages.last { $0["role"] as? String == "user" }?["content"] as? String
        }
        #expect(
            sent == [
                "first", "first", "xabcy", "hello world", "kept", "keep", "one four", "bcd", "xyz",
                "日x本é", "after ctrl-c", "draft", "ab",
            ], "\(screen)")
    }

    /// A signal that ends the program at the prompt leaves the terminal as it found it (the
    /// line editor's raw mode must not outlive the program).
    @Test func aSignalAtThePromptRestoresTheTerminal() throws {
        let dir = TempDir()
        let shell = dir.write(
            "sigterm.sh",
            """
            "$1" chat --url http://127.0.0.1:9 -m openai/text
            echo "EXIT=$?"
            stty -a | tr ' ;' '\\n\\n' | grep -x -e '-\\?icanon' -e '-\\?echo' | tr '\\n' ' '
            echo
            """)
        let (screen, _) = try drive(
            [.expect(Self.prompt), .signal(SIGTERM, "switchboard"), .waitExit],
            ["/bin/bash", shell, Repo.binary])
        #expect(screen.contains("EXIT=143"), "\(screen)")
        #expect(screen.contains("icanon echo"), "\(screen)")
        #expect(!screen.contains("-icanon"), "\(screen)")
    }

    /// Ctrl-C outside an answer ends the program as usual (130), also once answers have
    /// installed their own Ctrl-C handling. Output through a pipe: the plain-prompt path.
    @Test func ctrlCBetweenAnswersEndsTheProgram() throws {
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let dir = TempDir()
        // The trap keeps the script itself alive after Ctrl-C (bash otherwise exits with its
        // child when the child dies of SIGINT, and EXIT= would never print).
        let shell = dir.write(
            "ctrlc.sh",
            """
            trap : INT
            "$1" chat --url "$2" -m openai/text+chunks=2 | cat
            echo "EXIT=${PIPESTATUS[0]}"
            """)
        let steps: [Step] = [
            .expect(Self.prompt), .send("hello\n"), .expect("w0 w1"), .expect(Self.prompt),
            .send("\u{03}"), .expect("EXIT="), .waitExit,
        ]
        let (screen, _) = try drive(steps, ["/bin/bash", shell, Repo.binary, daemon.baseURL])
        #expect(screen.contains("w0 w1"), "\(screen)")
        #expect(screen.contains("EXIT=130"), "\(screen)")
    }
}
