import ChatModel
import JSON
import SSE

/// Chat Completions chunks → unified events. Tool calls are keyed by the provider's
/// `index` (any start, any order) through the shared assembler; usage arrives in a trailing
/// chunk with `choices: []` after the finish reason; `[DONE]` ends the stream.
final class OpenAIStreamDecoder: ProviderStreamDecoder {
    private let stream: StreamBuilder
    private var finish: (FinishReason, String)?
    /// The id of the open call at each provider index: some OpenAI-compatible servers repeat
    /// id and name on every fragment, which must not open a new call each time.
    private var openCallIds: [Int: String] = [:]

    private let provider: String
    /// The one field a declared server carries reasoning in; nil: either.
    private let reasoningField: OpenAICompat.ReasoningField?

    init(model: String, provider: String = "openai", reasoningField: OpenAICompat.ReasoningField? = nil) {
        stream = StreamBuilder(provider: provider, model: model)
        self.provider = provider
        self.reasoningField = reasoningField
    }

    var hasStarted: Bool { stream.hasStarted }
    var isDone: Bool { stream.isDone }
    var usageSoFar: Usage { stream.usage }

    private static let chunkFields = JSONKeyFilter(["choices", "usage", "error"])
    /// The members the chunks repeat around `choices` (id, object, created, model, fingerprint),
    /// as the last chunk read in place had them.
    private var skipped = JSONSkippedMembers()

    func decode(_ event: SSEEventView, _ emit: (StreamEvent) -> Void) {
        guard !isDone else { return }
        if event.dataEquals("[DONE]") {
            end(emit)
            return
        }
        // After the first chunk only a few fields matter: read in place, nothing else built.
        if hasStarted, let chunk = OpenAIChunk.scan(event.data, skipped: &skipped) {
            take(chunk, emit)
            return
        }
        // The first chunk, several choices, or bytes the reader refused: from the text (invalid
        // UTF-8 is repaired there, so a string with it is read as before, not refused).
        decodeText(event.owned.data, emit)
    }

    private func take(_ chunk: OpenAIChunk, _ emit: (StreamEvent) -> Void) {
        if let error = chunk.error, !error.isNull {
            fail(error, emit)
            return
        }
        if let choice = chunk.choice, choice.isFirst { handle(choice, emit) }
        if let usage = chunk.usage, case .object = usage { stream.usage = OpenAIUsage.unified(usage) }
    }

    private func decodeText(_ data: String, _ emit: (StreamEvent) -> Void) {
        if hasStarted, let chunk = OpenAIChunk.scan(data) {
            take(chunk, emit)
            return
        }
        // Otherwise (several choices) the other fields (id, model, fingerprint, …) are scanned
        // but not built.
        guard
            let chunk = hasStarted
                ? try? JSONValue.parse(data, keeping: Self.chunkFields)
                : try? JSONValue.parse(data)
        else { return }
        if let error = chunk["error"], !error.isNull {
            fail(error, emit)
            return
        }
        if !stream.hasStarted {  // per chunk: skip the lookups once started
            // Azure's prompt-filter verdict comes first, without choices, id or model: the answer
            // starts with the next chunk.
            if chunk["choices"]?.arrayValue?.isEmpty == true, chunk["prompt_filter_results"] != nil { return }
            stream.start(
                id: chunk["id"]?.stringValue ?? "", model: chunk["model"]?.stringValue,
                created: chunk["created"]?.intValue ?? 0, emit)
        }
        if let choices = chunk["choices"]?.arrayValue {
            for choice in choices.lazy.map(OpenAIChoice.init) where choice.isFirst { handle(choice, emit) }
        }
        if let usage = chunk["usage"], case .object = usage { stream.usage = OpenAIUsage.unified(usage) }
    }

    private func handle(_ choice: OpenAIChoice, _ emit: (StreamEvent) -> Void) {
        if choice.hasDelta {
            // A declared field is the only one read; otherwise the first present.
            let declared = reasoningField.map {
                $0 == .reasoning ? choice.delta.reasoning : choice.delta.reasoningContent
            }
            let reasoning = declared ?? choice.delta.reasoningContent ?? choice.delta.reasoning
            if let reasoning = reasoning?.stringValue, !reasoning.isEmpty {
                emit(.thinking(reasoning))
            }
            if let text = choice.delta.content?.stringValue, !text.isEmpty { emit(.text(text)) }
            // A refusal streams instead of content; the client reads it as the answer's text.
            if let refusal = choice.delta.refusal?.stringValue, !refusal.isEmpty { emit(.text(refusal)) }
            if let calls = choice.delta.toolCalls?.arrayValue {
                for call in calls {
                    let index = call["index"]?.intValue ?? 0
                    let function = call["function"]
                    if let id = call["id"]?.stringValue, !id.isEmpty, openCallIds[index] != id {
                        openCallIds[index] = id
                        stream.tools.start(providerIndex: index, id: id, name: function?["name"]?.stringValue ?? "")
                            .forEach(emit)
                    }
                    if let fragment = function?["arguments"]?.stringValue {
                        stream.tools.append(providerIndex: index, fragment: fragment).forEach(emit)
                    }
                }
            }
        }
        // `logprobs` is null unless the request asked for it: one key lookup on the way.
        if let content = choice.logprobs?["content"], case .array(let entries) = content, !entries.isEmpty {
            emit(.logprobs(content))
        }
        if let reason = choice.finishReason {
            stream.tools.finishAll().forEach(emit)
            openCallIds.removeAll()
            finish = (OpenAIFinishReason.unified(reason), reason)
        }
    }

    func finish(_ emit: (StreamEvent) -> Void) {
        end(emit)
    }

    private func end(_ emit: (StreamEvent) -> Void) {
        let (reason, raw) = finish ?? (stream.tools.hasCalls ? .toolCalls : .stop, "stop")
        stream.end(reason, providerFinishReason: finish == nil ? nil : raw, emit)
    }

    private func fail(_ error: JSONValue, _ emit: (StreamEvent) -> Void) {
        let message = error["message"]?.stringValue ?? error.serialized()
        let type = error["type"]?.stringValue ?? ""
        let status = type.contains("rate_limit") || error["code"]?.stringValue == "rate_limit_exceeded" ? 429 : 502
        stream.fail(
            StreamError(
                type: status == 429 ? "rate_limited" : "upstream_error",
                message: "\(provider): \(message)", provider: provider, status: status), emit)
    }
}
