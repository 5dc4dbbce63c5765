import Glibc
import HTTPServer
import JSON
import Logging
import Synchronization

/// The built-in provider emulator behind `switchboard mock`: OpenAI, Anthropic and Gemini on
/// one server, in their real wire formats, with scripted scenarios chosen per request by the
/// model name (`text+chunks=50+interval_ms=10`) or `x-mock-*` headers. Tests, benchmarks and
/// demos use it in place of the real providers.
///
/// Routes: `POST /v1/chat/completions` (OpenAI), `POST /v1/messages` (Anthropic),
/// `POST /v1beta/models/{model}:generateContent|streamGenerateContent` and
/// `/v1beta/cachedContents[/{id}]` (Gemini), and the control routes `GET|DELETE
/// /_mock/requests` (`?run=`, `?limit=`) and `GET /_mock/health`.
///
/// Thread-safe: one instance serves every loop of the server.
public final class ProviderEmulator: Sendable {
    let logger: Logger
    let fixtures: FixtureStore
    let log: RequestLog
    let failures = FailureCounters()
    /// `/_mock/command`: this instance's standing orders (fail, delay).
    let command = InstanceCommand()
    let caches = GeminiCacheStore()
    private let serials = Atomic<Int>(0)

    /// `fixturesDirectory` holds `openai/`, `anthropic/`, `gemini/` captures for
    /// `fixture=<name>` replays and the captured error bodies; without it the emulator uses
    /// built-in bodies of the same shape.
    public convenience init(fixturesDirectory: String?, logger: Logger) {
        self.init(fixturesDirectory: fixturesDirectory, logger: logger, logCapacity: 2000)
    }

    /// As above, keeping at most `logCapacity` requests for `/_mock/requests`.
    public init(fixturesDirectory: String?, logger: Logger, logCapacity: Int) {
        self.logger = logger
        fixtures = FixtureStore(directory: fixturesDirectory)
        log = RequestLog(capacity: logCapacity)
    }

    /// The handler to give an `HTTPServer`.
    public var handler: any HTTPHandler { EmulatorHandler(emulator: self) }

    /// What `GET /_mock/requests` returns: the recorded requests, oldest first.
    public func recordedRequests(run: String? = nil, limit: Int? = nil) -> JSONValue {
        .array(log.entries(run: run, limit: limit).map { $0.json() })
    }

    func nextSerial() -> Int { serials.add(1, ordering: .relaxed).newValue }

    static func unixSeconds() -> Int { Int(time(nil)) }

    // MARK: Serving a provider route

    /// Runs the shared steps for one provider request: options, authentication (`check`),
    /// `fail=`, then the scenario; plays the answer and records its status.
    func serve(
        _ dialect: any Dialect, _ request: HTTPRequest, _ writer: ResponseWriter, seq: Int,
        body: JSONValue?, model: String, stream: Bool, cachedContentTokens: Int? = nil,
        check: (MockOptions) -> Reply?
    ) {
        var options = MockOptions(model: model, headers: request.headers)
        if options.flag("echo_key") { options.echoedKey = KeyEcho.key(request, provider: dialect.name) }
        log.update(seq) { entry in
            entry.provider = dialect.name
            entry.run = options.run
            entry.scenario = options.scenario
        }
        if let refusal = check(options) {
            play(refusal, writer, seq: seq)
            return
        }
        let verdict = command.next()
        if let delay = verdict.delayMilliseconds, options["delay_ms"] == nil { options.values["delay_ms"] = "\(delay)" }
        if let status = verdict.failStatus {
            if let retryAfter = verdict.retryAfter { options.values["retry_after"] = retryAfter }
            play(dialect.error(status: status, options: options).timed(by: options), writer, seq: seq)
            return
        }
        if let failure = options.failure, failures.shouldFail(run: options.run, limit: failure.count) {
            play(dialect.error(status: failure.status, options: options).timed(by: options), writer, seq: seq)
            return
        }
        var scenario = ScenarioRequest(
            scenario: options.scenario, options: options, body: body, rawBody: request.body,
            model: model, stream: stream, serial: nextSerial(), created: Self.unixSeconds(),
            cachedContentTokens: cachedContentTokens)
        // `tool_turns=N`: a tool conversation, tool calls for the first N answers, then text.
        if scenario.scenario == "tools", let turns = options["tool_turns"].flatMap({ Int($0) }),
            scenario.assistantTurns >= turns
        {
            scenario.scenario = "text"
        }
        // `error_after_turns=N`: once the request holds N model answers, the provider's error
        // (`status`, default 500): a later turn of a conversation that fails.
        if let after = options["error_after_turns"].flatMap({ Int($0) }), scenario.assistantTurns >= after {
            play(
                dialect.error(status: options.int("status", default: 500), options: options).timed(by: options), writer,
                seq: seq)
            return
        }
        if let refusal = dialect.malformed(scenario) ?? dialect.refusal(scenario) {
            play(refusal, writer, seq: seq)
            return
        }
        if ["text", "disconnect", "stall"].contains(scenario.scenario), let schema = dialect.answerSchema(scenario) {
            scenario.answerText = SchemaInstance.minimal(schema).serialized()
        }
        let reply: Reply
        switch options.scenario {
        case "error":
            reply = dialect.error(status: options.int("status", default: 500), options: options)
        case "fixture":
            reply = replay(dialect.name, options["fixture"] ?? "", stream: stream, gemini: dialect.name == "gemini")
        case "disconnect":
            scenario.scenario = "text"
            reply = dialect.reply(scenario).cut(after: options.int("after", default: 2), ending: .drop)
        case "stall":
            scenario.scenario = "text"
            reply = dialect.reply(scenario).cut(after: options.int("after", default: 0), ending: .stall)
        default:
            reply = dialect.reply(scenario)
        }
        play(reply.timed(by: options), writer, seq: seq)
    }

    /// `fixture=<name>`: the capture `<provider>/<name>.sse` (streaming) or `.json`, byte-exact.
    private func replay(_ provider: String, _ name: String, stream: Bool, gemini: Bool) -> Reply {
        let file = name + (stream ? ".sse" : ".json")
        guard let bytes = fixtures.bytes(provider, file) else {
            let body: JSONValue = [
                "error": [
                    "type": "mock_fixture_not_found",
                    "message": .string(
                        "no fixture \(fixtures.path(provider, file)); fixture=<name> replays "
                            + "<fixtures>/<provider>/<name>.sse (stream) or .json"
                    ),
                ]
            ]
            return .json(404, Array(body.serialized().utf8))
        }
        if !stream {
            return .json(200, bytes, contentType: gemini ? "application/json; charset=UTF-8" : "application/json")
        }
        return .stream(
            FrameScript(frames: FixtureStore.frames(bytes)),
            contentType: gemini ? "text/event-stream" : "text/event-stream; charset=utf-8")
    }

    /// Sends `reply`, recording its status and a client that leaves early.
    func play(_ reply: Reply, _ writer: ResponseWriter, seq: Int) {
        log.update(seq) { $0.status = reply.status }
        let log = self.log
        StreamPlayer(writer: writer, reply: reply) {
            log.update(seq) { $0.clientDisconnected = true }
        }.start()
    }
}
