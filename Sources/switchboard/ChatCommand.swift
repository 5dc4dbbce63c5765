import Arithmetic
import ArgumentParser
import Foundation
import JSON

/// `switchboard chat`: an interactive chat with the daemon, or one answer for scripts.
struct Chat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Chat with a model through the daemon (interactive, or one-shot with a prompt or stdin).")

    @OptionGroup var client: ClientOptions

    @Option(name: [.short, .long], help: "Model alias or provider/model (default $SWITCHBOARD_MODEL).")
    var model: String?

    @Option(help: "System prompt.")
    var system: String?

    @Option(help: "Thinking budget in tokens (0: off).")
    var thinkingBudget: Int = 0

    @Argument(
        help: """
            The prompt (one-shot). Without it, text on stdin is the prompt; \
            on a terminal, an interactive session starts.
            """)
    var prompt: [String] = []

    func run() throws {
        guard let model = model ?? ProcessInfo.processInfo.environment["SWITCHBOARD_MODEL"] else {
            throw ValidationError("name a model with -m (see `switchboard models`)")
        }
        var session = ChatSession(client: client, model: model, system: system, thinkingBudget: thinkingBudget)
        if !prompt.isEmpty {
            try runClient { try session.ask(prompt.joined(separator: " ")) }
            return
        }
        if isatty(0) == 0 {
            let input = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { throw ValidationError("no prompt: pass one as an argument or on stdin") }
            try runClient { try session.ask(text) }
            return
        }
        try session.repl()
    }
}

/// The conversation: history, the current model and system prompt, and how answers print.
struct ChatSession {
    let client: ClientOptions
    var model: String
    var system: String?
    var thinkingBudget: Int
    var history: [JSONValue] = []
    var usage: [String: Int] = [:]
    let color = isatty(1) != 0

    init(client: ClientOptions, model: String, system: String?, thinkingBudget: Int) {
        self.client = client
        self.model = model
        self.system = system
        self.thinkingBudget = thinkingBudget
    }

    mutating func repl() throws {
        print(
            "switchboard chat — model \(model). /model NAME, /system TEXT, /usage, /reset, /exit."
                + " ↑/↓ history. Ctrl-C stops an answer.")
        let editor = LineEditor()
        let prompt = color ? "\u{1B}[1m› \u{1B}[0m" : "› "
        while true {
            guard let line = editor.readLine(prompt: prompt) else { print(""); return }
            let text = line.trimmingCharacters(in: .whitespaces)
            if text.isEmpty { continue }
            if text.hasPrefix("/") {
                if try !command(text) { return }
                continue
            }
            do { try ask(text) } catch let error as ClientError { printError(error.description) }
        }
    }

    /// A slash command; false to leave.
    mutating func command(_ text: String) throws -> Bool {
        let parts = text.split(separator: " ", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "/exit", "/quit": return false
        case "/model":
            if parts.count > 1 { model = parts[1] }
            print("model: \(model)")
        case "/system":
            system = parts.count > 1 ? parts[1] : nil
            print(system.map { "system: \($0)" } ?? "system prompt cleared")
        case "/reset":
            history.removeAll()
            print("conversation cleared")
        case "/usage":
            print(
                ["input_tokens", "output_tokens", "cache_read_tokens", "reasoning_tokens", "total_tokens"]
                    .map { "\($0)=\(usage[$0] ?? 0)" }.joined(separator: " "))
        default:
            printError("unknown command \(parts[0]) (/model, /system, /usage, /reset, /exit)")
        }
        return true
    }

    /// Sends `text` with the history and streams the answer.
    mutating func ask(_ text: String) throws {
        var messages: [JSONValue] = []
        if let system { messages.append(["role": "system", "content": .string(system)]) }
        messages += history
        messages.append(["role": "user", "content": .string(text)])
        var body = JSONObject([("model", .string(model)), ("messages", .array(messages))])
        if thinkingBudget > 0 { body["thinking"] = ["budget_tokens": .int(thinkingBudget)] }

        var answer = ""
        var calls: [JSONValue] = []
        var thinking = false
        let json = client.json
        let color = self.color
        var received: [String: Int] = [:]
        let stream = ChatStream { name, data in
            if json {
                print(JSONValue.object(JSONObject([("event", .string(name)), ("data", data)])).serialized())
                fflush(nil)
            }
            switch name {
            case "text":
                let delta = data["delta"]?.stringValue ?? ""
                answer += delta
                if !json {
                    if thinking { thinking = false; if color { print("\u{1B}[0m", terminator: "") }; print("") }
                    print(delta, terminator: "")
                }
            case "thinking":
                if !json, let delta = data["delta"]?.stringValue {
                    if !thinking { thinking = true; if color { print("\u{1B}[2m", terminator: "") } }
                    print(delta, terminator: "")
                }
            case "tool_call":
                calls.append([
                    "type": "tool_call", "id": data["id"] ?? "", "name": data["name"] ?? "",
                    "arguments": data["arguments"] ?? .object(JSONObject()),
                ])
                if !json {
                    print(
                        "\n→ tool call \(data["name"]?.stringValue ?? "")"
                            + "(\(data["arguments"]?.serialized() ?? "{}"))", terminator: "")
                }
            case "usage":
                if case .object(let o)? = Optional(data) { for (k, v) in o { received[k] = v.intValue ?? 0 } }
            case "error":
                if !json { print("\n[error] \(data["error"]?["message"]?.stringValue ?? "")", terminator: "") }
            default:
                break
            }
            fflush(nil)
        }
        // Ctrl-C stops this answer, not the session.
        let (status, error) = try AnswerInterrupt.shared.whileStreaming(stream) {
            try stream.run(url: client.baseURL, key: client.resolvedKey(), body: .object(body))
        }
        if color && thinking { print("\u{1B}[0m", terminator: "") }
        if !json { print("") }
        if status == 499 {
            printError("(answer stopped)")
            return
        }
        if let error {
            let hint = status == 401 ? " (pass --key or set SWITCHBOARD_API_KEY)" : ""
            throw ClientError(description: "daemon answered \(status): \(error)\(hint)")
        }
        for (k, v) in received { usage[k] = Saturating.add(usage[k] ?? 0, v) }
        history.append(["role": "user", "content": .string(text)])
        var content: [JSONValue] = []
        if !answer.isEmpty { content.append(["type": "text", "text": .string(answer)]) }
        content += calls
        if !content.isEmpty { history.append(["role": "assistant", "content": .array(content)]) }
    }

    func printError(_ text: String) {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
    }
}
