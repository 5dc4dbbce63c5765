import HTTPServer
import JSON

/// Routes requests to the provider dialects and the `/_mock` control routes. Called on the
/// connection's loop; every request except the control routes is recorded first.
struct EmulatorHandler: HTTPHandler {
    let emulator: ProviderEmulator

    func handle(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let path = request.path
        if path.hasPrefix("/_mock/") {
            control(request, writer)
            return
        }
        let seq = emulator.log.record(request)
        writer.routeLabel = "mock"
        let body = request.body.isEmpty ? nil : try? JSONValue.parse(request.body)
        if request.method == "POST", let (quirks, unknown) = OpenAIQuirks.route(path) {
            if !unknown.isEmpty {
                emulator.play(
                    .json(
                        404,
                        Self.openAIError(
                            "unknown compat quirk(s) \(unknown.joined(separator: ", ")) "
                                + "(\(OpenAIQuirks.words.sorted().joined(separator: ", ")))", param: nil)), writer,
                    seq: seq)
                return
            }
            openAI(request, writer, seq: seq, body: body, quirks: quirks)
            return
        }
        switch (request.method, path) {
        case ("POST", "/v1/messages"):
            anthropic(request, writer, seq: seq, body: body)
        default:
            if let route = GeminiRoute(method: request.method, path: path) {
                GeminiService(emulator: emulator).handle(route, request, writer, seq: seq, body: body)
            } else {
                emulator.logger.notice(
                    "provider emulator: no route", metadata: ["method": "\(request.method)", "path": "\(path)"])
                let message = JSONValue.object(
                    JSONObject([
                        (
                            "error",
                            [
                                "type": "not_found",
                                "message": .string("the provider emulator has no route \(request.method) \(path)"),
                            ]
                        )
                    ]))
                emulator.play(.json(404, Array(message.serialized().utf8)), writer, seq: seq)
            }
        }
    }

    private func openAI(
        _ request: HTTPRequest, _ writer: ResponseWriter, seq: Int, body: JSONValue?,
        quirks: OpenAIQuirks
    ) {
        let dialect = OpenAIDialect(fixtures: emulator.fixtures, quirks: quirks)
        emulator.serve(
            dialect, request, writer, seq: seq, body: body, model: body?["model"]?.stringValue ?? "",
            stream: body?["stream"]?.boolValue == true
        ) { options in
            let auth = request.headers["authorization"] ?? ""
            var key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)).trimmingSpaces() : ""
            if quirks.azure, key.isEmpty { key = (request.headers["api-key"] ?? "").trimmingSpaces() }
            if (key.isEmpty && !quirks.keyless) || key == "bad-key" {
                return dialect.error(status: 401, options: MockOptions())
            }
            if let refusal = Self.quirkRefusal(quirks, request, body, options) { return refusal }
            guard let body, body.objectValue != nil else {
                return .json(400, Self.openAIError("We could not parse the JSON body of your request.", param: nil))
            }
            if body["model"]?.stringValue == nil {
                return .json(400, Self.openAIError("you must provide a model parameter", param: nil))
            }
            if body["messages"]?.arrayValue == nil {
                return .json(400, Self.openAIError("Missing required parameter: 'messages'.", param: "messages"))
            }
            return nil
        }
    }

    /// What an OpenAI-compatible server or Azure refuses that OpenAI takes.
    private static func quirkRefusal(
        _ quirks: OpenAIQuirks, _ request: HTTPRequest, _ body: JSONValue?,
        _ options: MockOptions
    ) -> Reply? {
        func unrecognized(_ field: String) -> Reply {
            .json(400, openAIError("Unrecognized request argument supplied: \(field)", param: field))
        }
        if quirks.refusesStreamOptions, body?["stream_options"] != nil { return unrecognized("stream_options") }
        if quirks.refusesMaxCompletionTokens, body?["max_completion_tokens"] != nil {
            return unrecognized("max_completion_tokens")
        }
        if quirks.deployment != nil, !request.queryItems().contains(where: { $0.0 == "api-version" }) {
            return .json(
                404,
                JSONStyle.pretty.bytes(
                    ["error": ["code": "404", "message": "Resource not found"]],
                    trailingNewline: true))
        }
        if quirks.azure, options["filter"] == "prompt" {
            return .json(400, JSONStyle.pretty.bytes(OpenAIQuirks.promptFilteredBody, trailingNewline: true))
        }
        return nil
    }

    private static func openAIError(_ message: String, param: String?) -> [UInt8] {
        let body: JSONValue = [
            "error": [
                "message": .string(message), "type": "invalid_request_error",
                "param": param.map { .string($0) } ?? .null, "code": nil,
            ]
        ]
        return JSONStyle.pretty.bytes(body, trailingNewline: true)
    }

    private func anthropic(_ request: HTTPRequest, _ writer: ResponseWriter, seq: Int, body: JSONValue?) {
        let dialect = AnthropicDialect(fixtures: emulator.fixtures)
        emulator.serve(
            dialect, request, writer, seq: seq, body: body, model: body?["model"]?.stringValue ?? "",
            stream: body?["stream"]?.boolValue == true
        ) { options in
            let key = request.headers["x-api-key"] ?? ""
            if key.isEmpty || key == "bad-key" { return dialect.error(status: 401, options: MockOptions()) }
            if request.headers["anthropic-version"] == nil {
                return dialect.invalidRequest("anthropic-version: header is required")
            }
            guard let body, body.objectValue != nil else {
                return dialect.invalidRequest("There was an error parsing the body of your request.")
            }
            if body["model"]?.stringValue == nil { return dialect.invalidRequest("model: Field required") }
            if body["max_tokens"]?.intValue == nil { return dialect.invalidRequest("max_tokens: Field required") }
            if body["messages"]?.arrayValue == nil { return dialect.invalidRequest("messages: Field required") }
            return nil
        }
    }

    // MARK: Control

    private func control(_ request: HTTPRequest, _ writer: ResponseWriter) {
        writer.routeLabel = "mock_control"
        switch (request.method, request.path) {
        case ("GET", "/_mock/health"):
            writer.respondJSON(status: 200, body: Array(#"{"status":"ok"}"#.utf8))
        case ("GET", "/_mock/requests"):
            var run: String?
            var limit: Int?
            for (name, value) in request.queryItems() {
                if name == "run" { run = value }
                if name == "limit" { limit = Int(value) }
            }
            var out: [UInt8] = []
            emulator.recordedRequests(run: run, limit: limit).write(into: &out)
            writer.respondJSON(status: 200, body: out)
        case ("POST", "/_mock/command"):
            switch InstanceCommand.orders(request.queryItems().map { ($0.0, $0.1) }) {
            case .success(let orders):
                emulator.command.set(orders)
                writer.respondJSON(status: 200, body: Array(#"{"ordered":true}"#.utf8))
            case .failure(let problem):
                let body: JSONValue = ["error": ["type": "invalid_request", "message": .string(problem.message)]]
                writer.respondJSON(status: 400, body: Array(body.serialized().utf8))
            }
        case ("DELETE", "/_mock/command"):
            emulator.command.clear()
            writer.respondJSON(status: 200, body: Array(#"{"cleared":true}"#.utf8))
        case ("DELETE", "/_mock/requests"):
            emulator.log.clear()
            writer.respondJSON(status: 200, body: Array(#"{"cleared":true}"#.utf8))
        default:
            let body: JSONValue = [
                "error": [
                    "type": "not_found", "message": .string("no control route \(request.method) \(request.path)"),
                ]
            ]
            writer.respondJSON(status: 404, body: Array(body.serialized().utf8))
        }
    }
}
