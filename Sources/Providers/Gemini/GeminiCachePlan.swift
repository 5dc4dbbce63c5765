import ChatModel
import HTTPTypes
import JSON

/// Gemini explicit context caching (SPEC §3): the prefix up to the last `cache: true`
/// breakpoint (system instruction, tools and the messages through the marked one) goes into a
/// `cachedContents` entry; later requests with the same prefix reference it by name and send
/// only the rest. Gemini rejects `systemInstruction`, `tools` or `toolConfig` next to a
/// `cachedContent`, so those always live in the cache.
public struct GeminiCachePlan: Sendable {
    /// Unified messages covered by the cache (a prefix of `request.messages`).
    public let messageCount: Int
    /// The create body without `ttl`: the same bytes mean the same prefix (hash this).
    public let identity: [UInt8]
    let createBody: JSONObject

    /// Nil when the request marks no breakpoint.
    public static func plan(_ request: ChatRequest, model: String) throws(GatewayError) -> GeminiCachePlan? {
        var last: Int?
        for (i, message) in request.messages.enumerated() {
            let partMarked = message.content.contains {
                switch $0 {
                case .text(let t): return t.cache
                case .image(let p): return p.cache
                default: return false
                }
            }
            if message.cache || partMarked { last = i }
        }
        guard last != nil || request.tools.contains(where: \.cache) else { return nil }
        let count = (last ?? -1) + 1
        var prefix = request
        prefix.messages = Array(request.messages.prefix(count))
        var full = try GeminiRequestMapper.body(prefix)
        full["generationConfig"] = nil
        var body = JSONObject([("model", .string("models/" + model))])
        for key in ["contents", "systemInstruction", "tools", "toolConfig"] { if let v = full[key] { body[key] = v } }
        var identity: [UInt8] = []
        JSONValue.object(body).write(into: &identity)
        return GeminiCachePlan(messageCount: count, identity: identity, createBody: body)
    }

    /// `POST /v1beta/cachedContents` for this prefix.
    public func createRequest(endpoint: ProviderEndpoint, ttlSeconds: Int) -> UpstreamRequest {
        var body = createBody
        body["ttl"] = .string("\(ttlSeconds)s")
        var bytes: [UInt8] = []
        JSONValue.object(body).write(into: &bytes)
        return endpoint.request(
            path: "/v1beta/cachedContents",
            headers: [("x-goog-api-key", endpoint.apiKey), ("content-type", "application/json")], body: bytes)
    }

    /// The entry's name and expiry (Unix milliseconds) from the create response.
    public static func created(_ body: [UInt8]) -> (name: String, expiresMillis: Int64)? {
        guard let json = try? JSONValue.parse(body), let name = json["name"]?.stringValue,
            let expire = json["expireTime"]?.stringValue, let millis = RFC3339.millis(expire)
        else { return nil }
        return (name, millis)
    }
}

/// "2026-11-25T00:31:00.123456Z" → Unix milliseconds (UTC or a numeric offset).
enum RFC3339 {
    static func millis(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20 else { return nil }
        func number(_ range: Range<Int>) -> Int? { Int(String(decoding: bytes[range], as: UTF8.self)) }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
            let mi = number(14..<16), let s = number(17..<19)
        else { return nil }
        var i = 19
        var fraction = 0.0
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            var scale = 0.1
            i += 1
            while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                fraction += Double(bytes[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        var offset = 0
        if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-"), i + 6 <= bytes.count,
            let oh = number(i + 1..<i + 3), let om = number(i + 4..<i + 6)
        {
            offset = (oh * 3600 + om * 60) * (bytes[i] == UInt8(ascii: "+") ? 1 : -1)
        }
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let days = era * 146_097 + (yoe * 365 + yoe / 4 - yoe / 100 + doy) - 719_468
        let seconds = days * 86_400 + h * 3600 + mi * 60 + s - offset
        return Int64(seconds) * 1000 + Int64(fraction * 1000)
    }
}
