import ChatModel
import JSON

/// The Responses API's objects, shared by the stream and the non-stream answer: output items
/// (`message`, `function_call`, `reasoning`), usage, and the `response` object itself.
///
/// Thinking signatures ride in a reasoning item's `encrypted_content`, tagged like the
/// gateway's other signatures ("anthropic:…", "gemini:…"); a redacted Anthropic block as
/// "anthropic-redacted:<data>". Clients send the item back as is and the provider that issued
/// it gets its own bytes (`ResponsesInputTranslator`).
enum ResponsesObject {
    static func message(id: String, text: String, status: String) -> JSONValue {
        .object(
            JSONObject([
                ("id", .string(id)), ("type", "message"), ("status", .string(status)), ("role", "assistant"),
                ("content", text.isEmpty && status == "in_progress" ? [] : [outputText(text)]),
            ]))
    }

    static func outputText(_ text: String) -> JSONValue {
        .object(JSONObject([("type", "output_text"), ("annotations", []), ("logprobs", []), ("text", .string(text))]))
    }

    static func functionCall(id: String, callId: String, name: String, arguments: String, status: String) -> JSONValue {
        .object(
            JSONObject([
                ("id", .string(id)), ("type", "function_call"), ("status", .string(status)),
                ("arguments", .string(arguments)), ("call_id", .string(callId)), ("name", .string(name)),
            ]))
    }

    static func reasoning(id: String, summary: String?, encrypted: String?) -> JSONValue {
        var item = JSONObject([
            ("id", .string(id)), ("type", "reasoning"),
            ("summary", .array(summary.map { [summaryText($0)] } ?? [])),
        ])
        if let encrypted { item["encrypted_content"] = .string(encrypted) }
        return .object(item)
    }

    static func summaryText(_ text: String) -> JSONValue {
        .object(JSONObject([("type", "summary_text"), ("text", .string(text))]))
    }

    static func usage(_ usage: Usage) -> JSONValue {
        var object = JSONObject([
            ("input_tokens", .int(usage.inputTokens)),
            ("input_tokens_details", .object(JSONObject([("cached_tokens", .int(usage.cacheReadTokens))]))),
            ("output_tokens", .int(usage.outputTokens)),
            ("output_tokens_details", .object(JSONObject([("reasoning_tokens", .int(usage.reasoningTokens))]))),
            ("total_tokens", .int(usage.totalTokens)),
        ])
        // Switchboard's extension, as on the other doors: what the answer cost, when priced.
        if let cost = usage.costUSD { object["cost_usd"] = .number(Usage.dollarsLiteral(cost)) }
        return .object(object)
    }

    /// `completed`, `incomplete` (with the reason) or `failed`, from the unified finish.
    static func status(_ finish: FinishReason) -> (status: String, incomplete: String?) {
        switch finish {
        case .stop, .toolCalls: return ("completed", nil)
        case .length: return ("incomplete", "max_output_tokens")
        case .contentFilter: return ("incomplete", "content_filter")
        case .error, .cancelled: return ("failed", nil)
        }
    }

    /// The `response` object: identity and state, the request's settings (`echo`), output and usage.
    static func response(
        id: String, createdAt: Int, model: String, status: String, echo: JSONObject, output: [JSONValue],
        usage: Usage?, incomplete: String? = nil, error: (code: String, message: String)? = nil
    ) -> JSONValue {
        var object = JSONObject([
            ("id", .string(id)), ("object", "response"), ("created_at", .int(createdAt)), ("status", .string(status)),
            ("background", false),
            ("error", error.map { ["code": .string($0.code), "message": .string($0.message)] } ?? .null),
            ("incomplete_details", incomplete.map { ["reason": .string($0)] } ?? .null),
            ("model", .string(model)), ("output", .array(output)),
        ])
        for (key, value) in echo { object[key] = value }
        object["usage"] = usage.map(Self.usage) ?? .null
        return .object(object)
    }

    /// Item ids: the kind's prefix, the response's own random part, the item's position.
    static func itemId(_ prefix: String, responseId: String, index: Int) -> String {
        "\(prefix)_\(responseId.dropFirst(5))\(index)"
    }

    /// A whole non-streamed answer's output items.
    static func output(_ content: [ContentPart], responseId: String) -> [JSONValue] {
        var items: [JSONValue] = []
        var text = ""
        func flushText() {
            guard !text.isEmpty else { return }
            items.append(
                message(id: itemId("msg", responseId: responseId, index: items.count), text: text, status: "completed"))
            text = ""
        }
        for part in content {
            switch part {
            case .text(let t):
                if let signature = t.signature {
                    flushText()
                    items.append(
                        reasoning(
                            id: itemId("rs", responseId: responseId, index: items.count), summary: nil,
                            encrypted: signature))
                }
                text += t.text
            case .thinking(let t):
                flushText()
                let encrypted = t.redacted.map { ResponsesInputTranslator.redactedPrefix + $0 } ?? t.signature
                items.append(
                    reasoning(
                        id: itemId("rs", responseId: responseId, index: items.count),
                        summary: t.text.isEmpty ? nil : t.text, encrypted: encrypted))
            case .toolCall(let c):
                flushText()
                if let signature = c.signature {
                    items.append(
                        reasoning(
                            id: itemId("rs", responseId: responseId, index: items.count), summary: nil,
                            encrypted: signature))
                }
                items.append(
                    functionCall(
                        id: itemId("fc", responseId: responseId, index: items.count), callId: c.id, name: c.name,
                        arguments: c.arguments.serialized(), status: "completed"))
            case .image, .serverTool:
                break  // no provider answers with images here; server tools are refused on this door
            }
        }
        flushText()
        return items
    }
}
