import HTTPServer
import JSON

/// `echo_key=1`: error messages quote the API key the request carried, whole, as
/// OpenAI-compatible servers and proxies do (OpenAI itself quotes a masked key in its 401).
/// The gateway must blank it before anything reaches its client or its log.
enum KeyEcho {
    /// The key as each provider takes it: OpenAI `Authorization: Bearer`, Anthropic
    /// `x-api-key`, Gemini `x-goog-api-key` or `?key=`.
    static func key(_ request: HTTPRequest, provider: String) -> String {
        switch provider {
        case "openai":
            let auth = request.headers["authorization"] ?? ""
            return auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)).trimmingSpaces() : auth
        case "anthropic":
            return request.headers["x-api-key"] ?? ""
        default:
            return request.headers["x-goog-api-key"] ?? request.queryItems().first { $0.0 == "key" }?.1 ?? ""
        }
    }

    /// `reply` (a whole JSON error body) with its `error.message` rewritten by `amend`.
    static func amend(_ reply: Reply, _ amend: (String) -> String) -> Reply {
        guard case .whole(let bytes) = reply.body, case .object(var root)? = try? JSONValue.parse(bytes),
            case .object(var error)? = root["error"]
        else { return reply }
        error["message"] = .string(amend(error["message"]?.stringValue ?? ""))
        root["error"] = .object(error)
        var copy = reply
        copy.body = .whole(JSONStyle.pretty.bytes(.object(root), trailingNewline: true))
        return copy
    }

    /// RFC 3986 percent-encoding, as the key appears in a Gemini URL.
    static func percentEncoded(_ key: String) -> String {
        var out = ""
        for b in key.utf8 {
            let c = Character(Unicode.Scalar(b))
            if b < 0x80 && (c.isLetter || c.isNumber || "-._~".contains(c)) {
                out.append(c)
            } else {
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
