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
            (printf 'long one\\n'; sleep 0.8; printf '\\003'; sleep 0.5; printf 'long two\\n'; sleep 0.8; printf '\\003'; sleep 0.5; \
             printf '/model openai/text+chunks=2\\nafter\\n/usage\\n/exit\\n') \
            | SWITCHBOARD_URL=\(daemon.baseURL) \(script) -qc "\(Repo.binary) chat -m openai/text+chunks=80+interval_ms=40+run=repl1" /dev/null
            """
        let result = try run("/bin/bash", ["-c", shell], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], timeout: 30)
        let screen = result.stdout.replacingOccurrences(of: "\r", with: "")
        // Every answer can be stopped, not just the first of the session.
        #expect(screen.components(separatedBy: "(answer stopped)").count == 3, "\(screen)")
        #expect(screen.contains("model: openai/text+chunks=2"))
        #expect(screen.contains("w0 w1\n"))
        #expect(screen.contains("total_tokens="))
        // The daemon cancelled the stopped answer upstream.
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "repl1")
        #expect(seen.count == 2)
        #expect(seen.allSatisfy { $0["client_disconnected"] as? Bool == true })
    }

    /// The line editor, driven key by key through a pseudo-terminal: what the provider receives
    /// is the proof, so a broken key binding changes a user message and fails here.
    @Test func replEditsLinesAndRecallsHistory() throws {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux script provides the pseudo-terminal")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        // One group of keys per line, each sent once the previous answer has finished, so it
        // reaches the editor in raw mode rather than the terminal's own cooked line editing.
        let keys = [
            #"first\r"#,                                    // Enter as CR
            #"\033[A\r"#,                                   // Up recalls "first"
            #"abc\001x\033[Fy\r"#,                          // Ctrl-A, End
            #"helo\033ODl\033[4~!!\177\010 world\n"#,       // Left (SS3), insert, End, Backspace 0x7F and 0x08
            #"garbage\025kept\r"#,                          // Ctrl-U
            #"keep this\001\033[C\033[C\033[C\033[C\013\r"#, // Right, Ctrl-K
            #"one two three\027\027four\r"#,                // Ctrl-W twice
            #"abcd\033[H\033[3~\r"#,                        // Home, Delete
            #"wxyz\033[1~\004\r"#,                          // Ctrl-D deletes under the cursor
            #"日本é\033[D\033[Dx\r"#,                       // multi-byte text, Left over it
            #"discard me\003"#,                             // Ctrl-C at the prompt
            #"after ctrl-c\r"#,
            #"draft\033[A\033[A\033[B\033[B\r"#,            // up into history, back down to the draft
            #"a\033[15~b\r"#,                               // an unknown escape sequence (F5) is swallowed
            #"\004"#,                                       // Ctrl-D on an empty line ends the session
        ]
        let typing = keys.map { "printf '\($0)'" }.joined(separator: "; sleep 0.6; ")
        let shell = """
            (sleep 1; \(typing); sleep 1) \
            | SWITCHBOARD_URL=\(daemon.baseURL) \(script) -eqc "\(Repo.binary) chat -m openai/text+chunks=2+run=edit1" /dev/null
            """
        let result = try run("/bin/bash", ["-c", shell], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory(),
                                                                       "LANG": "C.UTF-8"], timeout: 60)
        let screen = result.stdout.replacingOccurrences(of: "\r", with: "")
        #expect(result.status == 0, "\(screen)")
        #expect(screen.contains("^C"), "\(screen)")
        let seen = try ChatEndToEndTests.mockRequests(mock, run: "edit1")
        let sent = seen.compactMap { request -> String? in
            let messages = (request["body"] as? [String: Any])?["messages"] as? [[String: Any]] ?? []
            return messages.last { $0["role"] as? String == "user" }?["content"] as? String
        }
        #expect(sent == ["first", "first", "xabcy", "hello world", "kept", "keep", "one four", "bcd", "xyz",
                         "日x本é", "after ctrl-c", "draft", "ab"], "\(screen)")
    }

    /// A signal that ends the program at the prompt leaves the terminal as it found it (the
    /// line editor's raw mode must not outlive the program).
    @Test func aSignalAtThePromptRestoresTheTerminal() throws {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux script provides the pseudo-terminal")
        let dir = TempDir()
        let shell = dir.write("sigterm.sh", """
            (sleep 1.5; kill -TERM $(pgrep -P $$ -x switchboard)) &
            "$1" chat --url http://127.0.0.1:9 -m openai/text
            echo "EXIT=$?"
            stty -a | tr ' ;' '\\n\\n' | grep -x -e '-\\?icanon' -e '-\\?echo' | tr '\\n' ' '
            echo
            """)
        let result = try run("/bin/bash", ["-c", "\(script) -qc 'bash \(shell) \(Repo.binary)' /dev/null"],
                             environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], timeout: 30)
        let screen = result.stdout.replacingOccurrences(of: "\r", with: "")
        #expect(screen.contains("EXIT=143"), "\(screen)")
        #expect(screen.contains("icanon echo"), "\(screen)")
        #expect(!screen.contains("-icanon"), "\(screen)")
    }

    /// Ctrl-C outside an answer ends the program as usual (130), also once answers have
    /// installed their own Ctrl-C handling. Output through a pipe: the plain-prompt path.
    @Test func ctrlCBetweenAnswersEndsTheProgram() throws {
        let script = "/usr/bin/script"
        try #require(FileManager.default.isExecutableFile(atPath: script), "util-linux script provides the pseudo-terminal")
        let mock = try Launch.mock()
        let daemon = try Launch.daemon(behind: mock)
        let dir = TempDir()
        let shell = dir.write("ctrlc.sh", """
            "$1" chat --url "$2" -m openai/text+chunks=2 | cat
            echo "EXIT=${PIPESTATUS[0]}"
            """)
        let command = "(printf 'hello\\n'; sleep 1.5; printf '\\003'; sleep 1) | \(script) -qc 'bash \(shell) \(Repo.binary) \(daemon.baseURL)' /dev/null"
        let result = try run("/bin/bash", ["-c", command], environment: ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()], timeout: 30)
        let screen = result.stdout.replacingOccurrences(of: "\r", with: "")
        #expect(screen.contains("w0 w1"), "\(screen)")
        #expect(screen.contains("EXIT=130"), "\(screen)")
    }
}
