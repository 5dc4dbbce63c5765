import ChatModel
import JSON

/// Reading a front door's request straight into the unified request: every field of the
/// door's protocol is mapped, passed through (documented), or refused with a 400 naming the
/// client's own path (`messages[1].content[0].type`); nothing is dropped without a word.
/// Paths are taken as autoclosures and spelled only for the 400 (spelling them costs more
/// than reading the field).
enum DoorFields {
    /// `max_tokens` and its door spellings (the same range as the unified field).
    static let maxTokensRange = AllowedRanges.maxTokens
    /// The unified limit on stop sequences (OpenAI's; Gemini allows 5, Anthropic more).
    static let maxStops = 4

    static func path(_ prefix: String, _ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }

    /// A 400 for a field this door understands but the gateway cannot honour.
    static func refused(_ path: String, _ why: String) -> GatewayError {
        .invalidRequest("\(path): \(why)", param: path)
    }

    /// Fails on the first key this door does not handle. A null value asks for nothing and is
    /// accepted as absent (SDKs dump their models' unset optional fields as null). For a door's
    /// many top-level fields: the set is built once, by the caller.
    static func rejectUnknown(_ object: JSONObject, allowed: Set<String>, at prefix: @autoclosure () -> String)
        throws(GatewayError)
    {
        for (key, value) in object where !allowed.contains(key) && !value.isNull { throw unknown(key, at: prefix()) }
    }

    /// The same for a nested object's handful of fields, written as a literal at the call: a
    /// scan of the list, where a `Set` literal would hash every allowed name per request.
    static func rejectUnknown(_ object: JSONObject, allowed: [String], at prefix: @autoclosure () -> String)
        throws(GatewayError)
    {
        for (key, value) in object where !allowed.contains(key) && !value.isNull { throw unknown(key, at: prefix()) }
    }

    private static func unknown(_ key: String, at prefix: String) -> GatewayError {
        let full = path(prefix, key)
        return .invalidRequest("\(full): unknown field (this gateway maps every field it accepts)", param: full)
    }

    /// Refuses `key` unless it is absent, null, or one of the values that ask for nothing.
    /// (Callers keep `neutral` in a constant: an array literal here would be built per request.)
    static func refuseUnlessNeutral(
        _ object: JSONObject, _ key: String, at prefix: @autoclosure () -> String, neutral: [JSONValue] = [],
        why: String
    ) throws(GatewayError) {
        guard let value = object[key], !value.isNull, !neutral.contains(value) else { return }
        throw refused(path(prefix(), key), why)
    }

    static func string(
        _ object: JSONObject, _ key: String, at prefix: @autoclosure () -> String,
        required: Bool = false
    ) throws(GatewayError) -> String? {
        try FieldReader.string(object[key], at: path(prefix(), key), required: required)
    }

    static func bool(_ object: JSONObject, _ key: String, at prefix: @autoclosure () -> String) throws(GatewayError)
        -> Bool?
    {
        try bool(object[key], at: path(prefix(), key))
    }

    /// The same for a value already found (a door that reads its members in one pass).
    static func bool(_ value: JSONValue?, at path: @autoclosure () -> String) throws(GatewayError) -> Bool? {
        guard let value, !value.isNull else { return nil }
        return try FieldReader.bool(value, at: path())
    }

    static func int(
        _ object: JSONObject, _ key: String, at prefix: @autoclosure () -> String,
        range: ClosedRange<Int>
    ) throws(GatewayError) -> Int? {
        try int(object[key], at: path(prefix(), key), range: range)
    }

    /// The same for a value already found (a door that reads its members in one pass).
    static func int(_ value: JSONValue?, at path: @autoclosure () -> String, range: ClosedRange<Int>)
        throws(GatewayError) -> Int?
    {
        guard let value, !value.isNull else { return nil }
        guard let n = value.intValue, range.contains(n) else {
            let full = path()
            throw .invalidRequest(
                "\(full): expected a whole number from \(range.lowerBound) to \(range.upperBound)",
                param: full)
        }
        return n
    }

    static func object(_ value: JSONValue, at path: @autoclosure () -> String) throws(GatewayError) -> JSONObject {
        try FieldReader.object(value, at: path())
    }

    /// Client tools: names as the providers require them, each declared once.
    static func checkToolName(_ name: String, existing: [Tool], at path: String) throws(GatewayError) {
        guard ChatRequest.isToolName(name) else {
            throw .invalidRequest("\(path): 1 to 64 characters of a-z, A-Z, 0-9, _ and -", param: path)
        }
        if existing.contains(where: { $0.name == name }) {
            throw .invalidRequest("\(path): duplicate tool name \"\(name)\"", param: path)
        }
    }

    /// A forced tool must be one of the declared tools (a provider's own tool counts); a
    /// choice other than auto/none needs tools.
    static func checkToolChoice(_ request: ChatRequest, at path: String) throws(GatewayError) {
        switch request.toolChoice {
        case .tool(let name)?:
            let declared =
                request.tools.contains { $0.name == name }
                || request.providerTools.contains { $0.definition["name"]?.stringValue == name }
            guard declared else {
                throw .invalidRequest("\(path): \"\(name)\" is not one of the declared tools", param: path)
            }
        case .required?:
            if request.tools.isEmpty && request.providerTools.isEmpty {
                throw .invalidRequest("\(path): requires tools", param: path)
            }
        default: break
        }
    }

    /// A `data:` URL → (media type, base64 data); nil when it is not one.
    static func dataURL(_ url: String, at path: String) throws(GatewayError) -> (mediaType: String, data: String)? {
        guard url.hasPrefix("data:") else { return nil }
        guard let comma = url.firstIndex(of: ",") else {
            throw .invalidRequest("\(path): a data URL needs a comma before its data", param: path)
        }
        let header = url[url.index(url.startIndex, offsetBy: 5)..<comma].split(separator: ";")
        guard header.last == "base64", let media = header.first, media != "base64" else {
            throw .invalidRequest("\(path): only base64 data URLs with a media type are supported", param: path)
        }
        return (String(media), String(url[url.index(after: comma)...]))
    }

    /// Anthropic's `cache_control` (also accepted on the OpenAI door, as OpenRouter and
    /// LiteLLM clients send it): an ephemeral breakpoint with the default 5-minute TTL.
    static func cacheControl(_ value: JSONValue?, at lazyPath: @autoclosure () -> String) throws(GatewayError) -> Bool {
        guard let value, !value.isNull else { return false }
        let path = lazyPath()
        let object = try FieldReader.object(value, at: path)
        try rejectUnknown(object, allowed: ["type", "ttl"], at: path)
        guard object["type"]?.stringValue == "ephemeral" else {
            throw .invalidRequest("\(path).type: expected ephemeral", param: "\(path).type")
        }
        if let ttl = object["ttl"], !ttl.isNull, ttl != "5m" {
            throw refused("\(path).ttl", "only the default 5m is supported (the unified cache flag has no TTL)")
        }
        return true
    }
}
