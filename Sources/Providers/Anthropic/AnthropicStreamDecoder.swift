import ChatModel
import JSON
import SSE

/// Messages API events → unified events. Blocks are keyed by their `index`; usage is taken
/// as the last value seen for each field (`AnthropicUsage`); the answer's start, end and
/// errors go through the shared `StreamBuilder`.
final class AnthropicStreamDecoder: ProviderStreamDecoder {
    private let stream: StreamBuilder
    private var blockKinds: [Int: String] = [:]
    private var serverTools = AnthropicServerTools()
    private var usage = AnthropicUsage()
    private var stopReason: String?
    /// Structured output through a forced tool: this tool's input is the answer's text
    /// (see `AnthropicStructuredOutput`).
    let answerTool: String?

    init(model: String, created: Int, answerTool: String? = nil) {
        stream = StreamBuilder(provider: "anthropic", model: model, created: created)
        self.answerTool = answerTool
    }

    var hasStarted: Bool { stream.hasStarted }
    var isDone: Bool { stream.isDone }
    var usageSoFar: Usage { stream.usage }

    func decode(_ event: SSEEventView, _ emit: (StreamEvent) -> Void) {
        guard !isDone else { return }
        // The event nearly every chunk is: read its few fields in place from the event's bytes,
        // no tree and no `String` of the data built.
        if event.event == "content_block_delta", let delta = AnthropicDelta.scan(event.data) {
            take(delta, emit)
            return
        }
        // Anything else, or bytes the reader refused: from the text (invalid UTF-8 is repaired
        // there, so a string with it is read as before, not refused).
        decodeText(event.owned, emit)
    }

    private func decodeText(_ event: SSEEvent, _ emit: (StreamEvent) -> Void) {
        if event.event == "content_block_delta", let delta = AnthropicDelta.scan(event.data) {
            take(delta, emit)
            return
        }
        // The answer's other events: their fields read in place too (the tree only when the
        // reader refuses the text, which the full parse then refuses as well).
        let parsed: AnthropicStreamEvent
        if let scanned = AnthropicStreamEvent.scan(event.data) {
            parsed = scanned
        } else {
            guard let json = try? JSONValue.parse(event.data) else { return }
            parsed = AnthropicStreamEvent(json)
        }
        switch parsed.type ?? event.event ?? "" {
        case "message_start":
            takeUsage(parsed.messageUsage)
            stream.start(id: parsed.messageID ?? "", model: parsed.messageModel, emit)
        case "content_block_start":
            // Content before `message_start` (a broken stream) still opens the answer first.
            stream.start(id: "", model: nil, emit)
            let index = parsed.index
            let block = parsed.contentBlock
            let kind = isAnswer(block) ? Self.answerKind : block?["type"]?.stringValue ?? ""
            blockKinds[index] = kind
            if AnthropicServerTools.isServerTool(kind) { serverTools.start(index: index, block: block) }
            switch kind {
            case "tool_use":
                stream.tools.start(
                    providerIndex: index, id: block?["id"]?.stringValue ?? "",
                    name: block?["name"]?.stringValue ?? ""
                ).forEach(emit)
            case "redacted_thinking":
                if let data = block?["data"]?.stringValue { emit(.thinkingRedacted(data)) }
            case "text":
                if let text = block?["text"]?.stringValue, !text.isEmpty { emit(.text(text)) }
            default:
                break
            }
        case "content_block_delta":
            // A delta the in-place reader did not take (its `type` says otherwise or is missing).
            guard let json = try? JSONValue.parse(event.data) else { return }
            take(AnthropicDelta(json), emit)
        case "content_block_stop":
            let index = parsed.index
            if blockKinds[index] == "tool_use" {
                stream.tools.finish(providerIndex: index).forEach(emit)
            } else if let part = serverTools.finish(index: index) {
                emit(.serverTool(part))
            }
        case "message_delta":
            if let reason = parsed.stopReason { stopReason = reason }
            takeUsage(parsed.usage)
        case "message_stop":
            end(emit)
        case "error":
            fail(parsed.error, emit)
        default:
            break  // ping and future events
        }
    }

    private func take(_ delta: AnthropicDelta, _ emit: (StreamEvent) -> Void) {
        stream.start(id: "", model: nil, emit)
        let index = delta.index
        // A server tool's input fragments are its own, not a client tool call's.
        if serverTools.take(index: index, type: delta.type, fragment: delta.partialJSON) { return }
        switch delta.type ?? "" {
        case "text_delta": if let t = delta.text, !t.isEmpty { emit(.text(t)) }
        case "thinking_delta": if let t = delta.thinking, !t.isEmpty { emit(.thinking(t)) }
        case "signature_delta":
            if let s = delta.signature { emit(.thinkingSignature(SignatureTag.tag(s, provider: "anthropic"))) }
        case "input_json_delta":
            if let fragment = delta.partialJSON {
                if blockKinds[index] == Self.answerKind {
                    if !fragment.isEmpty { emit(.text(fragment)) }
                    return
                }
                stream.tools.append(providerIndex: index, fragment: fragment).forEach(emit)
            }
        default: break  // citations and future delta types are ignored
        }
    }

    private func takeUsage(_ report: JSONValue?) {
        guard report != nil else { return }
        usage.take(report)
        stream.usage = usage.unified
    }

    func finish(_ emit: (StreamEvent) -> Void) {
        // A body that ends without message_stop is truncated: leave it to the pipeline,
        // which reports an error, unless the stop reason already arrived.
        if stopReason != nil { end(emit) }
    }

    private func end(_ emit: (StreamEvent) -> Void) {
        let raw = stopReason ?? "end_turn"
        stream.end(answerFinish(raw) ?? AnthropicStopReason.unified(raw), providerFinishReason: stopReason, emit)
    }

    private func fail(_ error: JSONValue?, _ emit: (StreamEvent) -> Void) {
        let type = error?["type"]?.stringValue ?? "api_error"
        let message = "anthropic: " + (error?["message"]?.stringValue ?? type)
        let (unified, status): (String, Int) =
            switch type {
            // Overload is 503 upstream_unavailable, as the same condition sent as HTTP 529 is.
            case "overloaded_error": ("upstream_unavailable", 503)
            case "rate_limit_error": ("rate_limited", 429)
            case "invalid_request_error": ("invalid_request", 400)
            default: ("upstream_error", 500)
            }
        stream.fail(StreamError(type: unified, message: message, provider: "anthropic", status: status), emit)
    }
}
