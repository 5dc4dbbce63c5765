import ChatModel

/// The gateway's errors in OpenAI's words, for `/v1/chat/completions`: OpenAI clients branch
/// on `error.type` and `error.code` as OpenAI spells them (the SDKs pick their exception class
/// from the status alone).
///
/// | status (our type)                  | type                    | code                   |
/// |------------------------------------|-------------------------|------------------------|
/// | 400, 404, 409, 413, 415, 422, …    | `invalid_request_error` | null (`model_not_found` for an unknown model) |
/// | 401                                | `authentication_error`  | `invalid_api_key`      |
/// | 403                                | `permission_error`      | null                   |
/// | 429 (`rate_limited`)               | `requests` or `tokens`  | `rate_limit_exceeded`  |
/// | 429 (`budget_exceeded`)            | `insufficient_quota`    | `insufficient_quota`   |
/// | 504 (`upstream_timeout`)           | `timeout`               | `timeout`              |
/// | other 5xx                          | `server_error`          | null                   |
enum OpenAIErrorVocabulary {
    /// `tokensLimited`: a 429 whose exhausted limit is tokens (else requests).
    static func words(status: Int, type: String, param: String?, tokensLimited: Bool) -> (type: String, code: String?) {
        switch status {
        case 401: return ("authentication_error", "invalid_api_key")
        case 403: return ("permission_error", nil)
        case 429:
            if type == GatewayErrorType.budgetExceeded.rawValue { return ("insufficient_quota", "insufficient_quota") }
            return (tokensLimited ? "tokens" : "requests", "rate_limit_exceeded")
        case 404 where param == "model": return ("invalid_request_error", "model_not_found")
        case 504: return ("timeout", "timeout")
        case 500...: return ("server_error", nil)
        default: return ("invalid_request_error", nil)
        }
    }

    static func words(_ error: GatewayError) -> (type: String, code: String?) {
        func exhausted(_ kind: String) -> Bool {
            error.headers.contains { $0.name.lowercased() == "x-ratelimit-remaining-\(kind)" && $0.value == "0" }
        }
        let tokens = exhausted("tokens") && !exhausted("requests")
        return words(status: error.status, type: error.type.rawValue, param: error.param, tokensLimited: tokens)
    }

    static func words(_ error: StreamError) -> (type: String, code: String?) {
        words(status: error.status, type: error.type, param: nil, tokensLimited: false)
    }
}
