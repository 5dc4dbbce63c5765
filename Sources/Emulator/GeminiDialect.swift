import Arithmetic
import JSON

/// Gemini `generateContent` / `streamGenerateContent`: every event is a whole
/// `GenerateContentResponse`; `?alt=sse` frames them `data: …\r\n\r\n` on one line with
/// `": "` after keys; without it the stream is one JSON array. `finishReason` only on the
/// last event (function calls end with STOP), no `[DONE]`. `candidatesTokenCount` excludes
/// `thoughtsTokenCount`; `cachedContentTokenCount` is part of `promptTokenCount`.
struct GeminiDialect: Dialect {
    let fixtures: FixtureStore
    /// `?alt=sse`: SSE framing; otherwise a streamed JSON array.
    var sse = true
    var name: String { "gemini" }

    func reply(_ request: ScenarioRequest) -> Reply {
        let context = Context(request: request)
        if !request.stream {
            if request.scenario == "midstream_error" { return error(status: 503, options: request.options) }
            let text = request.text
            let tokens = request.scenario == "tools" ? [] : (0..<text.count).map { (text.piece($0), $0) }
            let body = context.response(parts: context.allParts(), finish: true, logprobs: tokens)
            return .json(
                200, JSONStyle.pretty.bytes(body, trailingNewline: true), contentType: "application/json; charset=UTF-8"
            )
        }
        let events = sse ? Self.sseFramed(context.events()) : Self.arrayFramed(context.events())
        return .stream(events, contentType: sse ? "text/event-stream" : "application/json; charset=UTF-8")
    }

    /// Builds the events of one answer.
    private struct Context {
        let request: ScenarioRequest
        let usage: MockUsage
        let thinking: Bool
        let signature: String

        init(request: ScenarioRequest) {
            self.request = request
            var usage = request.usage
            if let cached = request.cachedContentTokens {
                usage.cached = cached
                usage.input = Saturating.add(usage.input, cached)
            }
            self.usage = usage
            // Thought parts for the `thinking` scenario; signatures whenever the request turned
            // thinking on, as Gemini does.
            thinking =
                request.scenario == "thinking"
                || request.body?["generationConfig"]?["thinkingConfig"] != nil
            signature = MockContent.signature(request.serial)
        }

        var toolName: String {
            let tool = request.body?["tools"]?[0]
            let declarations = tool?["functionDeclarations"] ?? tool?["function_declarations"]
            return declarations?[0]?["name"]?.stringValue ?? "get_weather"
        }

        func usageMetadata(final: Bool) -> JSONValue {
            var m = JSONObject()
            let u = usage
            m["promptTokenCount"] = u.json(u.input)
            if final { m["candidatesTokenCount"] = u.json(u.visibleOutput) }
            m["totalTokenCount"] = u.json(final ? u.total : Saturating.add(u.input, u.reasoning))
            if u.cached > 0 || u.literal != nil { m["cachedContentTokenCount"] = u.json(u.cached) }
            m["promptTokensDetails"] = [["modality": "TEXT", "tokenCount": u.json(u.input)]]
            if u.cached > 0 { m["cacheTokensDetails"] = [["modality": "TEXT", "tokenCount": u.json(u.cached)]] }
            if u.reasoning > 0 || u.literal != nil { m["thoughtsTokenCount"] = u.json(u.reasoning) }
            return .object(m)
        }

        func response(
            parts: [JSONValue], finish: Bool, finishMessage: String? = nil,
            logprobs tokens: [(String, Int)] = []
        ) -> JSONValue {
            var candidate = JSONObject()
            candidate["content"] = ["parts": .array(parts), "role": "model"]
            if finish { candidate["finishReason"] = request.options.flag("length") ? "MAX_TOKENS" : "STOP" }
            candidate["index"] = 0
            let (wanted, top) = MockLogprobs.geminiRequested(request.body)
            if wanted, !tokens.isEmpty {
                if !request.stream {
                    let sum = tokens.reduce(0.0) { $0 + (Double(MockLogprobs.logprob($1.1)) ?? 0) }
                    candidate["avgLogprobs"] = .double(sum / Double(tokens.count))
                }
                candidate["logprobsResult"] = MockLogprobs.gemini(tokens, top: top)
            }
            if finish, let finishMessage { candidate["finishMessage"] = .string(finishMessage) }
            return [
                "candidates": [.object(candidate)], "usageMetadata": usageMetadata(final: finish),
                "modelVersion": .string(request.model), "responseId": .string("mockresp\(request.serial)"),
            ]
        }

        func calls() -> [JSONValue] {
            (0..<request.callCount).map { i in
                let call: JSONValue = [
                    "name": .string(toolName), "args": (try? JSONValue.parse(MockContent.arguments(i))) ?? [:],
                ]
                // With thinking on, Gemini signs the first function call part (see stream-function-call.sse).
                return thinking && i == 0
                    ? ["functionCall": call, "thoughtSignature": .string(signature)] : ["functionCall": call]
            }
        }

        func thoughts() -> [JSONValue] {
            (0..<request.thoughtCount).map { ["text": .string(MockContent.thought($0)), "thought": true] }
        }

        func textPart(_ text: String, signed: Bool) -> JSONValue {
            signed ? ["text": .string(text), "thoughtSignature": .string(signature)] : ["text": .string(text)]
        }

        /// The non-streamed answer's parts.
        func allParts() -> [JSONValue] {
            if request.scenario == "tools" { return calls() }
            var parts: [JSONValue] = []
            if thinking {
                parts.append([
                    "text": .string(thoughts().compactMap { $0["text"]?.stringValue }.joined()), "thought": true,
                ])
            }
            parts.append(textPart(request.text.joined, signed: thinking))
            return parts
        }

        func line(_ value: JSONValue) -> [UInt8] { JSONStyle.geminiLine.bytes(value) }

        /// Events without framing.
        func events() -> FrameScript {
            var script = FrameScript()
            if request.scenario == "tools" {
                script.append(
                    line(response(parts: calls(), finish: true, finishMessage: "Model generated function call(s).")))
                return script
            }
            if thinking { for part in thoughts() { script.append(line(response(parts: [part], finish: false))) } }
            script.endPrelude()
            let finishes = request.scenario != "midstream_error"
            let text = request.text
            if text.count == 0 {
                if finishes { script.append(line(response(parts: [textPart("", signed: thinking)], finish: true))) }
                appendEchoedError(to: &script)
                return script
            }
            let template = JSONTemplate(
                response(parts: [["text": JSONTemplate.hole]], finish: false), style: .geminiLine)
            let signed = thinking
            let last = text.count - 1
            let this = self
            let logprobs = MockLogprobs.geminiRequested(request.body).0
            script.append(count: text.count) { i in
                if i == last && finishes || i == 0 && signed || logprobs {
                    return this.line(
                        this.response(
                            parts: [this.textPart(text.piece(i), signed: i == 0 && signed)],
                            finish: i == last && finishes, logprobs: [(text.piece(i), i)]))
                }
                return template.fill(text.piece(i))
            }
            appendEchoedError(to: &script)
            return script
        }

        /// `midstream_error+echo_key=1`: the stream ends with an error object quoting the key
        /// (without the option it just stops, as Gemini's streams do).
        private func appendEchoedError(to script: inout FrameScript) {
            guard request.scenario == "midstream_error", let key = request.options.echoedKey else { return }
            let message = GeminiDialect.echo(key, status: 500, in: "An internal error has occurred.")
            script.append(line(["error": ["code": 500, "message": .string(message), "status": "INTERNAL"]]))
        }
    }

    /// Wraps each event as `data: <event>\r\n\r\n`… or, without `alt=sse`, as the elements of
    /// one JSON array.
    private static func arrayFramed(_ events: FrameScript) -> FrameScript {
        var out = FrameScript()
        var first = true
        for segment in events.segments {
            switch segment {
            case .one(let bytes):
                out.append(Array((first ? "[" : ",\r\n").utf8) + bytes)
                first = false
            case .many(let n, let make):
                let opensArray = first
                out.append(count: n) { i in Array((opensArray && i == 0 ? "[" : ",\r\n").utf8) + make(i) }
                if n > 0 { first = false }
            }
        }
        out.append(Array((first ? "[]" : "]").utf8))
        out.preludeCount = events.preludeCount
        return out
    }

    static func sseFramed(_ events: FrameScript) -> FrameScript {
        var out = FrameScript()
        for segment in events.segments {
            switch segment {
            case .one(let bytes): out.append(Array("data: ".utf8) + bytes + [0x0D, 0x0A, 0x0D, 0x0A])
            case .many(let n, let make):
                out.append(count: n) { Array("data: ".utf8) + make($0) + [0x0D, 0x0A, 0x0D, 0x0A] }
            }
        }
        out.preludeCount = events.preludeCount
        return out
    }
}
