import HTTPTypes
import JSON

/// Gemini errors: a pretty-printed `google.rpc.Status` (`{"error":{"code","message","status",
/// "details"}}`) with a trailing newline; retry timing lives in `RetryInfo.retryDelay`, not
/// in a header.
extension GeminiDialect {
    func error(status: Int, options: MockOptions) -> Reply {
        let reply = providerError(status: status, options: options)
        guard let key = options.echoedKey else { return reply }
        return KeyEcho.amend(reply) { Self.echo(key, status: status, in: $0) }
    }

    /// `echo_key=1`: the key whole, and percent-encoded in the request URL it came in.
    static func echo(_ key: String, status: Int, in message: String) -> String {
        let url = "https://generativelanguage.googleapis.com/v1beta/models?key=\(KeyEcho.percentEncoded(key))"
        if status == 400 || status == 401 { return "API key not valid: \(key). Please pass a valid API key. (\(url))" }
        return "\(message) (key=\(key); \(url))"
    }

    private func providerError(status: Int, options: MockOptions) -> Reply {
        var headers = HTTPHeaders()
        if let ms = options["retry_after_ms"] { headers.add("retry-after-ms", ms) }
        if status == 429 {
            return .json(
                429, rateLimited(retryAfter: options["retry_after"] ?? "1"), headers: headers,
                contentType: "application/json; charset=UTF-8")
        }
        if status == 503, let captured = fixtures.bytes(name, "error-503-unavailable.json") {
            return .json(503, captured, headers: headers, contentType: "application/json; charset=UTF-8")
        }
        let (code, message): (String, String) =
            switch status {
            case 400: ("INVALID_ARGUMENT", "Request contains an invalid argument.")
            case 401: ("UNAUTHENTICATED", "Request had invalid authentication credentials.")
            case 403: ("PERMISSION_DENIED", "The caller does not have permission")
            case 404: ("NOT_FOUND", "Requested entity was not found.")
            case 499: ("CANCELLED", "The operation was cancelled.")
            case 503: ("UNAVAILABLE", "The model is overloaded. Please try again later.")
            case 504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete.")
            default:
                status >= 500
                    ? (
                        "INTERNAL",
                        "An internal error has occurred. Please retry or report in "
                            + "https://developers.generativeai.google/guide/troubleshooting"
                    )
                    : ("FAILED_PRECONDITION", "Precondition check failed.")
            }
        return rpcStatus(status, code, message, headers: headers)
    }

    /// A `google.rpc.Status` error reply.
    func rpcStatus(
        _ http: Int, _ code: String, _ message: String, details: [JSONValue] = [],
        headers: HTTPHeaders = HTTPHeaders()
    ) -> Reply {
        var error = JSONObject([("code", .int(http)), ("message", .string(message)), ("status", .string(code))])
        if !details.isEmpty { error["details"] = .array(details) }
        return .json(
            http, JSONStyle.pretty.bytes(["error": .object(error)], trailingNewline: true), headers: headers,
            contentType: "application/json; charset=UTF-8")
    }

    /// 400 API_KEY_INVALID, the captured body when we have it.
    func invalidKey() -> Reply {
        if let captured = fixtures.bytes(name, "error-400-api-key-invalid.json") {
            return .json(400, captured, contentType: "application/json; charset=UTF-8")
        }
        let message = "API key not valid. Please pass a valid API key."
        return rpcStatus(
            400, "INVALID_ARGUMENT", message,
            details: [
                [
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                    "domain": "googleapis.com",
                    "metadata": ["service": "generativelanguage.googleapis.com"],
                ],
                [
                    "@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
                    "message": .string(message),
                ],
            ])
    }

    /// A request without any key.
    func missingKey() -> Reply {
        rpcStatus(
            403, "PERMISSION_DENIED",
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or "
                + "other form of API consumer identity to call this API."
        )
    }

    /// 429 RESOURCE_EXHAUSTED with `RetryInfo.retryDelay` = `<seconds>s` (the `retry_after`
    /// option as written, so any delay a provider could send can be): the captured body with
    /// its delay replaced, else the documented shape.
    private func rateLimited(retryAfter seconds: String) -> [UInt8] {
        let delay = JSONValue.string("\(seconds)s")
        if let captured = fixtures.bytes(name, "error-429-resource-exhausted.json"),
            case .object(var root)? = try? JSONValue.parse(captured), case .object(var error)? = root["error"],
            case .array(var details)? = error["details"]
        {
            for i in details.indices {
                if case .object(var detail) = details[i], detail["@type"]?.stringValue?.hasSuffix("RetryInfo") == true {
                    detail["retryDelay"] = delay
                    details[i] = .object(detail)
                }
            }
            error["details"] = .array(details)
            root["error"] = .object(error)
            return JSONStyle.pretty.bytes(.object(root), trailingNewline: true)
        }
        let body: JSONValue = [
            "error": [
                "code": 429, "message": .string("You exceeded your current quota. Please retry in \(seconds)s."),
                "status": "RESOURCE_EXHAUSTED",
                "details": [["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay]],
            ]
        ]
        return JSONStyle.pretty.bytes(body, trailingNewline: true)
    }

    /// With thinking on, Gemini refuses a function call of the current turn sent back
    /// without the `thoughtSignature` it came with (the first call of each model step).
    func refusal(_ request: ScenarioRequest) -> Reply? {
        guard request.body?["generationConfig"]?["thinkingConfig"] != nil,
            let contents = request.body?["contents"]?.arrayValue
        else { return nil }
        // The current turn starts after the last user content that is not only function responses.
        let start =
            contents.lastIndex { content in
                content["role"]?.stringValue != "model"
                    && (content["parts"]?.arrayValue ?? []).contains { $0["functionResponse"] == nil }
            } ?? -1
        for (i, content) in contents.enumerated() where i > start && content["role"]?.stringValue == "model" {
            let parts = content["parts"]?.arrayValue ?? []
            guard let position = parts.firstIndex(where: { $0["functionCall"] != nil }) else { continue }
            if parts[position]["thoughtSignature"]?.stringValue == nil {
                let name = parts[position]["functionCall"]?["name"]?.stringValue ?? ""
                return rpcStatus(
                    400, "INVALID_ARGUMENT",
                    "Function call is missing a thought_signature in functionCall parts. This is required for tools to "
                        + "work correctly, and missing thought_signature may lead to degraded model performance. "
                        + "Additional data, function call `default_api:\(name)` , position \(i + 1). Please refer "
                        + "to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
                )
            }
        }
        return nil
    }
}
