import ChatModel
import JSON
import SSE

/// Chat Completions chunks → unified events. Tool calls are keyed by the provider's
/// `index` (any start, any order) through the shared assembler; usage arrives in a trailing
/// chunk with `choices: []` after the finish reason; `[DONE]` ends the stream.
final class OpenAIStreamDecoder: ProviderStreamDecoder {
    private let requestedModel: String
    private var assembler = ToolCallAssembler()
    private(set) var hasStarted = false
    private(set) var isDone = false
    private(set) var usageSoFar = Usage.zero
    private var finish: (FinishReason, String)?
    /// The id of the open call at each provider index: some OpenAI-compatible servers repeat
    /// id and name on every fragment, which must not open a new call each time.
    private var openCallIds: [Int: String] = [:]

    init(model: String) { requestedModel = model }

    private static let chunkFields = JSONKeyFilter(["choices", "usage", "error"])

    func decode(_ event: SSEEvent, _ emit: (StreamEvent) -> Void) {
        guard !isDone else { return }
        if event.data == "[DONE]" {
            end(emit)
            return
        }
        // After the first chunk only these fields matter; the rest (id, model, fingerprint, …)
        // is scanned but not built.
        guard let chunk = hasStarted ? try? JSONValue.parse(event.data, keeping: Self.chunkFields)
                                     : try? JSONValue.parse(event.data) else { return }
        if let error = chunk["error"], !error.isNull {
            fail(error, emit)
            return
        }
        if !hasStarted {
            hasStarted = true
            emit(.start(id: chunk["id"]?.stringValue ?? "", model: chunk["model"]?.stringValue ?? requestedModel,
                        provider: "openai", created: chunk["created"]?.intValue ?? 0))
        }
        if let choices = chunk["choices"]?.arrayValue {
            for choice in choices where (choice["index"]?.intValue ?? 0) == 0 {
                handle(choice, emit)
            }
        }
        if let usage = chunk["usage"], case .object = usage { usageSoFar = Self.usage(usage) }
    }

    private func handle(_ choice: JSONValue, _ emit: (StreamEvent) -> Void) {
        if let delta = choice["delta"] {
            if let reasoning = (delta["reasoning_content"] ?? delta["reasoning"])?.stringValue, !reasoning.isEmpty {
                emit(.thinking(reasoning))
            }
            if let text = delta["content"]?.stringValue, !text.isEmpty { emit(.text(text)) }
            // A refusal streams instead of content; the client reads it as the answer's text.
            if let refusal = delta["refusal"]?.stringValue, !refusal.isEmpty { emit(.text(refusal)) }
            if let calls = delta["tool_calls"]?.arrayValue {
                for call in calls {
                    let index = call["index"]?.intValue ?? 0
                    let function = call["function"]
                    if let id = call["id"]?.stringValue, !id.isEmpty, openCallIds[index] != id {
                        openCallIds[index] = id
                        assembler.start(providerIndex: index, id: id, name: function?["name"]?.stringValue ?? "").forEach(emit)
                    }
                    if let fragment = function?["arguments"]?.stringValue {
                        assembler.append(providerIndex: index, fragment: fragment).forEach(emit)
                    }
                }
            }
        }
        // `logprobs` is null unless the request asked for it: one key lookup on the way.
        if let content = choice["logprobs"]?["content"], case .array(let entries) = content, !entries.isEmpty {
            emit(.logprobs(content))
        }
        if let reason = choice["finish_reason"]?.stringValue {
            assembler.finishAll().forEach(emit)
            openCallIds.removeAll()
            finish = (Self.finishReason(reason), reason)
        }
    }

    func finish(_ emit: (StreamEvent) -> Void) {
        end(emit)
    }

    private func end(_ emit: (StreamEvent) -> Void) {
        guard !isDone else { return }
        if !hasStarted {
            hasStarted = true
            emit(.start(id: "", model: requestedModel, provider: "openai", created: 0))
        }
        assembler.finishAll().forEach(emit)
        isDone = true
        emit(.usage(usageSoFar))
        let (reason, raw) = finish ?? (assembler.hasCalls ? .toolCalls : .stop, "stop")
        emit(.done(reason, providerFinishReason: finish == nil ? nil : raw))
    }

    private func fail(_ error: JSONValue, _ emit: (StreamEvent) -> Void) {
        let message = error["message"]?.stringValue ?? error.serialized()
        let type = error["type"]?.stringValue ?? ""
        let status = type.contains("rate_limit") || error["code"]?.stringValue == "rate_limit_exceeded" ? 429 : 502
        if hasStarted { assembler.finishAll().forEach(emit) }
        // Before `.start` the pipeline turns `.error` into an ordinary (retryable) HTTP error
        // and ignores the rest; the decoder still ends so a later `[DONE]` adds nothing.
        emit(.error(StreamError(type: status == 429 ? "rate_limited" : "upstream_error", message: "openai: \(message)",
                                provider: "openai", status: status)))
        isDone = true
        emit(.usage(usageSoFar))
        emit(.done(.error, providerFinishReason: nil))
    }

    static func finishReason(_ raw: String) -> FinishReason {
        switch raw {
        case "stop": return .stop
        case "length": return .length
        case "tool_calls", "function_call": return .toolCalls
        case "content_filter": return .contentFilter
        default: return .stop
        }
    }

    /// `cached_tokens` is already inside `prompt_tokens`, `reasoning_tokens` inside
    /// `completion_tokens`: nothing is added.
    static func usage(_ u: JSONValue) -> Usage {
        Usage(inputTokens: Usage.count(u["prompt_tokens"]) ?? 0, outputTokens: Usage.count(u["completion_tokens"]) ?? 0,
              cacheReadTokens: Usage.count(u["prompt_tokens_details"]?["cached_tokens"]) ?? 0, cacheWriteTokens: 0,
              reasoningTokens: Usage.count(u["completion_tokens_details"]?["reasoning_tokens"]) ?? 0,
              totalTokens: Usage.count(u["total_tokens"]))
    }
}
