import ChatModel
import JSON
import SSE

/// `streamGenerateContent?alt=sse` events → unified events. Every event is a whole
/// GenerateContentResponse: text parts are deltas, `functionCall` parts arrive complete and
/// without ids (ids are minted here and stay stable for the response), `usageMetadata` is a
/// running snapshot (the last one counts), and the event with `finishReason` ends the answer.
final class GeminiStreamDecoder: ProviderStreamDecoder {
    private let stream: StreamBuilder
    private let idPrefix: String
    private var calls = 0
    private var finish: String?
    private var blocked: String?
    /// The members the chunks repeat around the ones read (model version, id, index, role, …).
    private var skipped = GeminiChunk.Skipped()

    init(model: String, created: Int, idPrefix: String) {
        stream = StreamBuilder(provider: "gemini", model: model, created: created)
        self.idPrefix = idPrefix
    }

    var hasStarted: Bool { stream.hasStarted }
    var isDone: Bool { stream.isDone }
    var usageSoFar: Usage { stream.usage }

    func decode(_ event: SSEEventView, _ emit: (StreamEvent) -> Void) {
        guard !isDone else { return }
        // An ordinary chunk, the first included: read its few fields in place, no tree built.
        // Before the start the first chunk's id and model are read too: nothing remembered
        // then, so no member is skipped that the start wants.
        let chunk =
            stream.hasStarted
            ? GeminiChunk.scan(event.data, starting: false, skipped: &skipped)
            : GeminiChunk.scan(event.data, starting: true)
        if let chunk {
            takeScanned(chunk, emit)
            return
        }
        // Anything else, or bytes the reader refused: from the text (invalid UTF-8 is repaired
        // there, so a string with it is read as before, not refused).
        decodeText(event.owned.data, emit)
    }

    private func takeScanned(_ chunk: GeminiChunk, _ emit: (StreamEvent) -> Void) {
        if !stream.hasStarted {
            // As below: usage first, so the prompt count is known when the answer starts.
            if chunk.usage.isReport { stream.usage = chunk.usage.unified }
            stream.start(id: chunk.responseId ?? "", model: chunk.modelVersion, emit)
        }
        take(chunk, emit)
    }

    private func decodeText(_ data: String, _ emit: (StreamEvent) -> Void) {
        if let chunk = GeminiChunk.scan(data, starting: !stream.hasStarted) {
            takeScanned(chunk, emit)
            return
        }
        guard let json = try? JSONValue.parse(data) else { return }
        if let error = json["error"], !error.isNull {
            fail(error, emit)
            return
        }
        // Usage first: the first chunk's prompt count is known when the answer starts.
        if let usage = json["usageMetadata"].map(GeminiUsageCounts.init), usage.isReport {
            stream.usage = usage.unified
        }
        if !stream.hasStarted {  // per chunk: skip the lookups once started
            stream.start(id: json["responseId"]?.stringValue ?? "", model: json["modelVersion"]?.stringValue, emit)
        }
        if let reason = json["promptFeedback"]?["blockReason"]?.stringValue { blocked = reason }
        let candidate = json["candidates"]?[0]
        for part in candidate?["content"]?["parts"]?.arrayValue ?? [] { handle(part, emit) }
        if let result = candidate?["logprobsResult"], let entries = GeminiLogprobs.entries(result) {
            emit(.logprobs(entries))
        }
        if let reason = candidate?["finishReason"]?.stringValue {
            finish = reason
            end(emit)
        } else if blocked != nil {
            end(emit)
        }
    }

    /// The same steps as `decode` for a chunk `GeminiChunk` could read (so no error, prompt
    /// block, logprobs or call), once the answer has started.
    private func take(_ chunk: GeminiChunk, _ emit: (StreamEvent) -> Void) {
        if chunk.usage.isReport { stream.usage = chunk.usage.unified }
        if let text = chunk.text, !text.isEmpty { emit(chunk.thought == true ? .thinking(text) : .text(text)) }
        if let reason = chunk.finishReason {
            finish = reason
            end(emit)
        } else if blocked != nil {
            end(emit)
        }
    }

    private func handle(_ part: JSONValue, _ emit: (StreamEvent) -> Void) {
        if let signature = part["thoughtSignature"]?.stringValue {
            emit(.thinkingSignature(SignatureTag.tag(signature, provider: "gemini")))
        }
        if let call = part["functionCall"] {
            let index = calls
            calls += 1
            let id = call["id"]?.stringValue ?? "call_\(idPrefix)_\(index)"
            stream.tools.start(providerIndex: index, id: id, name: call["name"]?.stringValue ?? "").forEach(emit)
            stream.tools.append(providerIndex: index, fragment: (call["args"] ?? .object(JSONObject())).serialized())
                .forEach(emit)
            stream.tools.finish(providerIndex: index).forEach(emit)
        } else if let text = part["text"]?.stringValue, !text.isEmpty {
            emit(part["thought"]?.boolValue == true ? .thinking(text) : .text(text))
        }
    }

    func finish(_ emit: (StreamEvent) -> Void) {
        // Gemini's last event always carries finishReason (or a prompt block, which ended the
        // answer already). A body that stops before it is truncated: left to the pipeline,
        // which reports it as an error instead of a clean end.
    }

    private func end(_ emit: (StreamEvent) -> Void) {
        if finish == "MALFORMED_FUNCTION_CALL" {
            let error = StreamError(
                type: "upstream_error",
                message: "gemini: the model produced a malformed function call",
                provider: "gemini", status: 502)
            stream.fail(error, providerFinishReason: finish, emit)
        } else if let blocked, finish == nil {
            stream.end(.contentFilter, providerFinishReason: blocked, emit)
        } else {
            stream.end(Self.finishReason(finish ?? "STOP", sawCalls: calls > 0), providerFinishReason: finish, emit)
        }
    }

    private func fail(_ error: JSONValue, _ emit: (StreamEvent) -> Void) {
        // The code becomes an HTTP status when nothing was sent yet: only an error status will do.
        let status = error["code"]?.intValue.flatMap { (400...599).contains($0) ? $0 : nil } ?? 500
        let streamError = StreamError(
            type: status == 429 ? "rate_limited" : "upstream_error",
            message: "gemini: " + (error["message"]?.stringValue ?? "error"),
            provider: "gemini", status: status)
        stream.fail(streamError, providerFinishReason: error["status"]?.stringValue, emit)
    }

    static func finishReason(_ raw: String, sawCalls: Bool) -> FinishReason {
        switch raw {
        case "STOP": return sawCalls ? .toolCalls : .stop
        case "MAX_TOKENS": return .length
        case "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY": return .contentFilter
        case "MALFORMED_FUNCTION_CALL": return .error
        default: return sawCalls ? .toolCalls : .stop
        }
    }

    /// A whole `usageMetadata` object → unified usage.
    static func usage(_ u: JSONValue) -> Usage { GeminiUsageCounts(u).unified }
}
