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
        switch (request.method, path) {
        case ("POST", "/v1/chat/completions"):
            openAI(request, writer, seq: seq, body: body)
        case ("POST", "/v1/messages"):
            anthropic(request, writer, seq: seq, body: body)
        default:
            if let route = GeminiRoute(method: request.method, path: path) {
                GeminiService(emulator: emulator).handle(route, request, writer, seq: seq, body: body)
            } else {
                emulator.logger.notice("provider emulator: no route", metadata: ["method": "\(request.method)", "path": "\(path)"])
                let message = JSONValue.object(JSONObject([("error", ["type": "not_found",
                    "message": .string("the provider emulator has no route \(request.method) \(path)")])]))
                emulator.play(.json(404, Array(message.serialized().utf8)), writer, seq: seq)
            }
        }
    }

    private func openAI(_ request: HTTPRequest, _ writer: ResponseWriter, seq: Int, body: JSONValue?) {
        let dialect = OpenAIDialect(fixtures: emulator.fixtures)
        emulator.serve(dialect, request, writer, seq: seq, body: body, model: body?["model"]?.stringValue ?? "",
                       stream: body?["stream"]?.boolValue == true) { options in
            let auth = request.headers["authorization"] ?? ""
            let key = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)).trimmingSpaces() : ""
            if key.isEmpty || key == "bad-key" { return dialect.error(status: 401, options: MockOptions()) }
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

    private static func openAIError(_ message: String, param: String?) -> [UInt8] {
        let body: JSONValue = ["error": ["message": .string(message), "type": "invalid_request_error",
                                         "param": param.map { .string($0) } ?? .null, "code": nil]]
        return JSONStyle.pretty.bytes(body, trailingNewline: true)
    }

    private func anthropic(_ request: HTTPRequest, _ writer: ResponseWriter, seq: Int, body: JSONValue?) {
        let dialect = AnthropicDialect(fixtures: emulator.fixtures)
        emulator.serve(dialect, request, writer, seq: seq, body: body, model: body?["model"]?.stringValue ?? "",
                       stream: body?["stream"]?.boolValue == true) { options in
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
        case ("DELETE", "/_mock/requests"):
            emulator.log.clear()
            writer.respondJSON(status: 200, body: Array(#"{"cleared":true}"#.utf8))
        default:
            let body: JSONValue = ["error": ["type": "not_found", "message": .string("no control route \(request.method) \(request.path)")]]
            writer.respondJSON(status: 404, body: Array(body.serialized().utf8))
        }
    }
}
