import ChatModel
import JSON

/// Unified events → the Responses API's event stream (`event: response.…` / `data: {…}`, every
/// event numbered by `sequence_number`), the non-stream `response` object, and OpenAI's error
/// shape. One per request.
///
/// Items open as the answer goes: thinking opens a `reasoning` item (its text streams as a
/// summary part), text a `message` item with one `output_text` part, each tool call its own
/// `function_call` item (parallel calls are separate items; their argument deltas may
/// interleave). An item is done when another kind begins or the answer ends; a signature
/// closes its reasoning item. The end is `response.completed`, `response.incomplete` (with
/// `incomplete_details.reason`) or, after an `error` event, `response.failed`.
///
/// `finished` receives the final `response` object (stream or not), for the store.
public final class ResponsesEventEncoder: ChatEncoder {
    private let responseId: String
    private let echo: JSONObject
    private let finished: (JSONValue) -> Void
    private var model = "", createdAt = 0
    private var sequence = 0
    private var started = false
    /// The output so far, by output index (open items hold their latest state).
    private var output: [JSONValue] = []
    private var open: OpenItem?
    /// Tool calls by their unified index: where they are in `output`, what they carry.
    private var calls: [Int: Call] = [:]
    private var usage = Usage.zero
    private var failure: StreamError?

    private enum OpenItem {
        case reasoning(index: Int, id: String, text: String, hasPart: Bool)
        case message(index: Int, id: String, text: String)
    }

    private struct Call {
        var index: Int, id: String, callId: String, name: String, arguments: String
    }

    public init(responseId: String, echo: JSONObject, createdAt: Int, finished: @escaping (JSONValue) -> Void) {
        self.responseId = responseId
        self.echo = echo
        self.createdAt = createdAt
        self.finished = finished
    }

    public func encode(_ event: StreamEvent, into out: inout [UInt8]) {
        switch event {
        case .start(_, let m, _, _):
            model = m
            begin(into: &out)
        case .text(let delta):
            text(delta, into: &out)
        case .thinking(let delta):
            thinking(delta, into: &out)
        case .thinkingSignature(let signature):
            encrypted(signature, into: &out)
        case .thinkingRedacted(let data):
            encrypted(ResponsesInputTranslator.redactedPrefix + data, into: &out)
        case .toolCallStart(let i, let callId, let name):
            closeOpen(into: &out)
            let index = output.count
            let call = Call(
                index: index, id: ResponsesObject.itemId("fc", responseId: responseId, index: index),
                callId: callId, name: name, arguments: "")
            calls[i] = call
            output.append(item(call, status: "in_progress"))
            emit("response.output_item.added", [("output_index", .int(index)), ("item", output[index])], into: &out)
        case .toolCallDelta(let i, let arguments):
            guard var call = calls[i] else { return }
            call.arguments += arguments
            calls[i] = call
            emit(
                "response.function_call_arguments.delta",
                [("item_id", .string(call.id)), ("output_index", .int(call.index)), ("delta", .string(arguments))],
                into: &out)
        case .toolCall(let i, _, _, let arguments):
            guard var call = calls.removeValue(forKey: i) else { return }
            // A call whose arguments came whole (no deltas) is done with them now.
            if call.arguments.isEmpty { call.arguments = arguments.serialized() }
            finish(call, into: &out)
        case .usage(let u):
            usage = u
        case .error(let e):
            begin(into: &out)
            closeAll(into: &out)
            failure = e
            let (_, code) = OpenAIErrorVocabulary.words(e)
            emit(
                "error",
                [
                    ("code", code.map { .string($0) } ?? .string(e.type)), ("message", .string(e.message)),
                    ("param", .null),
                ],
                into: &out)
        case .done(let reason, _):
            begin(into: &out)
            closeAll(into: &out)
            end(reason, into: &out)
        case .serverTool, .logprobs:
            break  // built-in tools and log probabilities are refused on this door
        }
    }

    private func begin(into out: inout [UInt8]) {
        guard !started else { return }
        started = true
        let response = snapshot(status: "in_progress", usage: nil)
        emit("response.created", [("response", response)], into: &out)
        emit("response.in_progress", [("response", response)], into: &out)
    }

    private func text(_ delta: String, into out: inout [UInt8]) {
        let index: Int, id: String, text: String
        if case .message(let i, let d, let t)? = open {
            (index, id, text) = (i, d, t)
        } else {
            closeOpen(into: &out)
            (index, id, text) = (
                output.count, ResponsesObject.itemId("msg", responseId: responseId, index: output.count), ""
            )
            output.append(ResponsesObject.message(id: id, text: "", status: "in_progress"))
            emit("response.output_item.added", [("output_index", .int(index)), ("item", output[index])], into: &out)
            emit(
                "response.content_part.added",
                [
                    ("item_id", .string(id)), ("output_index", .int(index)), ("content_index", 0),
                    ("part", ResponsesObject.outputText("")),
                ], into: &out)
        }
        open = .message(index: index, id: id, text: text + delta)
        emit(
            "response.output_text.delta",
            [
                ("item_id", .string(id)), ("output_index", .int(index)), ("content_index", 0),
                ("delta", .string(delta)), ("logprobs", []),
            ], into: &out)
    }

    private func thinking(_ delta: String, into out: inout [UInt8]) {
        var (index, id, text, hasPart) = (0, "", "", false)
        if case .reasoning(let i, let d, let t, let p)? = open {
            (index, id, text, hasPart) = (i, d, t, p)
        } else {
            closeOpen(into: &out)
            (index, id) = (output.count, ResponsesObject.itemId("rs", responseId: responseId, index: output.count))
            output.append(ResponsesObject.reasoning(id: id, summary: nil, encrypted: nil))
            emit("response.output_item.added", [("output_index", .int(index)), ("item", output[index])], into: &out)
        }
        if !hasPart {
            emit(
                "response.reasoning_summary_part.added",
                [
                    ("item_id", .string(id)), ("output_index", .int(index)), ("summary_index", 0),
                    ("part", ResponsesObject.summaryText("")),
                ], into: &out)
        }
        open = .reasoning(index: index, id: id, text: text + delta, hasPart: true)
        emit(
            "response.reasoning_summary_text.delta",
            [("item_id", .string(id)), ("output_index", .int(index)), ("summary_index", 0), ("delta", .string(delta))],
            into: &out)
    }

    /// A signature (or redacted block) completes the reasoning item it belongs to: the open
    /// one, else an item of its own.
    private func encrypted(_ value: String, into out: inout [UInt8]) {
        guard case .reasoning(let index, let id, let text, let hasPart)? = open else {
            closeOpen(into: &out)
            let index = output.count
            let id = ResponsesObject.itemId("rs", responseId: responseId, index: index)
            output.append(ResponsesObject.reasoning(id: id, summary: nil, encrypted: value))
            emit("response.output_item.added", [("output_index", .int(index)), ("item", output[index])], into: &out)
            emit("response.output_item.done", [("output_index", .int(index)), ("item", output[index])], into: &out)
            return
        }
        open = nil
        closeReasoning(index: index, id: id, text: text, hasPart: hasPart, encrypted: value, into: &out)
    }

    /// The open item and every open call are done (the answer ended or failed).
    private func closeAll(into out: inout [UInt8]) {
        closeOpen(into: &out)
        for i in calls.keys.sorted() { finish(calls[i]!, into: &out) }
        calls = [:]
    }

    private func closeOpen(into out: inout [UInt8]) {
        switch open {
        case .reasoning(let index, let id, let text, let hasPart)?:
            closeReasoning(index: index, id: id, text: text, hasPart: hasPart, encrypted: nil, into: &out)
        case .message(let index, let id, let text)?:
            let part = ResponsesObject.outputText(text)
            let ids: [(String, JSONValue)] = [
                ("item_id", .string(id)), ("output_index", .int(index)), ("content_index", 0),
            ]
            emit("response.output_text.done", ids + [("text", .string(text)), ("logprobs", [])], into: &out)
            emit("response.content_part.done", ids + [("part", part)], into: &out)
            output[index] = ResponsesObject.message(id: id, text: text, status: "completed")
            emit("response.output_item.done", [("output_index", .int(index)), ("item", output[index])], into: &out)
        case nil:
            break
        }
        open = nil
    }

    private func closeReasoning(
        index: Int, id: String, text: String, hasPart: Bool, encrypted: String?, into out: inout [UInt8]
    ) {
        if hasPart {
            let ids: [(String, JSONValue)] = [
                ("item_id", .string(id)), ("output_index", .int(index)), ("summary_index", 0),
            ]
            emit("response.reasoning_summary_text.done", ids + [("text", .string(text))], into: &out)
            emit(
                "response.reasoning_summary_part.done", ids + [("part", ResponsesObject.summaryText(text))], into: &out)
        }
        output[index] = ResponsesObject.reasoning(id: id, summary: hasPart ? text : nil, encrypted: encrypted)
        emit("response.output_item.done", [("output_index", .int(index)), ("item", output[index])], into: &out)
    }

    private func item(_ call: Call, status: String) -> JSONValue {
        ResponsesObject.functionCall(
            id: call.id, callId: call.callId, name: call.name, arguments: call.arguments, status: status)
    }

    private func finish(_ call: Call, into out: inout [UInt8]) {
        emit(
            "response.function_call_arguments.done",
            [
                ("item_id", .string(call.id)), ("output_index", .int(call.index)),
                ("arguments", .string(call.arguments)),
            ],
            into: &out)
        output[call.index] = item(call, status: "completed")
        emit(
            "response.output_item.done", [("output_index", .int(call.index)), ("item", output[call.index])], into: &out)
    }

    private func end(_ reason: FinishReason, into out: inout [UInt8]) {
        if let failure {
            let (_, code) = OpenAIErrorVocabulary.words(failure)
            let response = snapshot(
                status: "failed", usage: usage, error: (code ?? failure.type, failure.message))
            emit("response.failed", [("response", response)], into: &out)
            return
        }
        let (status, incomplete) = ResponsesObject.status(reason)
        let response = snapshot(status: status, usage: usage, incomplete: incomplete)
        let name =
            status == "completed"
            ? "response.completed" : status == "incomplete" ? "response.incomplete" : "response.failed"
        emit(name, [("response", response)], into: &out)
        if status != "failed" { finished(response) }
    }

    private func snapshot(
        status: String, usage: Usage?, incomplete: String? = nil, error: (code: String, message: String)? = nil
    ) -> JSONValue {
        ResponsesObject.response(
            id: responseId, createdAt: createdAt, model: model, status: status, echo: echo, output: output,
            usage: usage, incomplete: incomplete, error: error)
    }

    /// `event: <type>` and `data: {"type","sequence_number",…}`.
    private func emit(_ type: String, _ fields: [(String, JSONValue)], into out: inout [UInt8]) {
        out.append(contentsOf: "event: ".utf8)
        out.append(contentsOf: type.utf8)
        out.append(contentsOf: "\ndata: ".utf8)
        JSONValue.object(JSONObject([("type", .string(type)), ("sequence_number", .int(sequence))] + fields))
            .write(into: &out)
        out.append(contentsOf: [0x0A, 0x0A])
        sequence += 1
    }

    public func response(_ r: ChatResponse) -> [UInt8] {
        let (status, incomplete) = ResponsesObject.status(r.finishReason)
        let response = ResponsesObject.response(
            id: responseId, createdAt: createdAt, model: r.model, status: status, echo: echo,
            output: ResponsesObject.output(r.content, responseId: responseId), usage: r.usage, incomplete: incomplete)
        if status != "failed" { finished(response) }
        var out: [UInt8] = []
        response.write(into: &out)
        return out
    }

    public func error(_ error: GatewayError, requestId: String) -> [UInt8] { OpenAIChunkEncoder.errorBody(error) }
}
