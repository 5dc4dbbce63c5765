import HTTPServer
import JSON

/// A Gemini route: `/v1beta/models/{model}:{action}` or `/v1beta/cachedContents[/{id}]`
/// (`/v1/…` too). The model segment is percent-decoded (`text%2Bchunks%3D3`).
enum GeminiRoute: Equatable {
    case generate(model: String, stream: Bool)
    case createCache, listCaches
    case getCache(String), deleteCache(String)

    init?(method: String, path: String) {
        let segments = path.split(separator: "/").map(String.init)
        guard segments.count >= 2, segments[0] == "v1beta" || segments[0] == "v1" else { return nil }
        switch (method, segments.count, segments[1]) {
        case ("POST", 3, "models"):
            let target = Self.percentDecode(segments[2])
            guard let colon = target.lastIndex(of: ":") else { return nil }
            let action = target[target.index(after: colon)...]
            guard action == "generateContent" || action == "streamGenerateContent" else { return nil }
            self = .generate(model: String(target[..<colon]), stream: action == "streamGenerateContent")
        case ("POST", 2, "cachedContents"): self = .createCache
        case ("GET", 2, "cachedContents"): self = .listCaches
        case ("GET", 3, "cachedContents"): self = .getCache("cachedContents/" + segments[2])
        case ("DELETE", 3, "cachedContents"): self = .deleteCache("cachedContents/" + segments[2])
        default: return nil
        }
    }

    static func percentDecode(_ s: String) -> String {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let b = bytes.popFirst() {
            if b == UInt8(ascii: "%"), bytes.count >= 2,
                let v = UInt8(String(decoding: bytes.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(v)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Serves the Gemini routes: authentication (`x-goog-api-key` or `?key=`), generation with
/// or without a cachedContent, and the cachedContents resource.
struct GeminiService {
    let emulator: ProviderEmulator

    func handle(_ route: GeminiRoute, _ request: HTTPRequest, _ writer: ResponseWriter, seq: Int, body: JSONValue?) {
        let alt = request.queryItems().first { $0.0 == "alt" }?.1
        let dialect = GeminiDialect(fixtures: emulator.fixtures, sse: alt == "sse")
        let key = request.headers["x-goog-api-key"] ?? request.queryItems().first { $0.0 == "key" }?.1 ?? ""
        let authRefusal: Reply? = key.isEmpty ? dialect.missingKey() : key == "bad-key" ? dialect.invalidKey() : nil
        switch route {
        case .generate(let model, let stream):
            var tokens: Int?
            var cacheRefusal: Reply?
            if let name = body?["cachedContent"]?.stringValue {
                switch emulator.caches.lookup(name) {
                case .unknown:
                    cacheRefusal = dialect.rpcStatus(404, "NOT_FOUND", "CachedContent not found (or permission denied)")
                case .expired:
                    cacheRefusal = dialect.rpcStatus(400, "INVALID_ARGUMENT", "CachedContent \(name) has expired.")
                case .found(let entry):
                    tokens = entry.tokens
                    if body?["systemInstruction"] != nil || body?["system_instruction"] != nil || body?["tools"] != nil
                        || body?["toolConfig"] != nil || body?["tool_config"] != nil
                    {
                        cacheRefusal = dialect.rpcStatus(
                            400, "INVALID_ARGUMENT",
                            "CachedContent can not be used with GenerateContent request setting system_instruction, "
                                + "tools or tool_config.\n\nProposed fix: move those values to CachedContent from "
                                + "GenerateContent request."
                        )
                    } else if Self.bare(entry.model) != Self.bare(model) {
                        cacheRefusal = dialect.rpcStatus(
                            400, "INVALID_ARGUMENT",
                            "Model used by GenerateContent request (models/\(Self.bare(model))) and CachedContent "
                                + "(\(entry.model)) has to be the same."
                        )
                    }
                }
            }
            emulator.serve(
                dialect, request, writer, seq: seq, body: body, model: model, stream: stream,
                cachedContentTokens: tokens
            ) { _ in
                if let authRefusal { return authRefusal }
                if !request.body.isEmpty, body?.objectValue == nil {
                    return dialect.rpcStatus(400, "INVALID_ARGUMENT", "Invalid JSON payload received.")
                }
                return cacheRefusal
            }
        case .createCache, .listCaches, .getCache, .deleteCache:
            emulator.log.update(seq) {
                $0.provider = "gemini"; $0.scenario = "cached_contents"
            }
            emulator.play(authRefusal ?? caches(route, dialect, body), writer, seq: seq)
        }
    }

    private func caches(_ route: GeminiRoute, _ dialect: GeminiDialect, _ body: JSONValue?) -> Reply {
        let json = "application/json; charset=UTF-8"
        switch route {
        case .createCache:
            guard let body, let model = body["model"]?.stringValue else {
                return dialect.rpcStatus(400, "INVALID_ARGUMENT", "CachedContent.model is required.")
            }
            var ttl = 3600.0
            if let text = body["ttl"]?.stringValue {
                guard let parsed = GeminiCacheStore.parseDuration(text) else {
                    return dialect.rpcStatus(
                        400, "INVALID_ARGUMENT",
                        "Invalid value at 'cached_content.ttl' (type.googleapis.com/google.protobuf.Duration), "
                            + "\"\(text)\""
                    )
                }
                ttl = parsed
            }
            // A deterministic stand-in for tokenization: about four bytes per token.
            var size: [UInt8] = []
            body["contents"]?.write(into: &size)
            (body["systemInstruction"] ?? body["system_instruction"])?.write(into: &size)
            // Gemini refuses to cache a prefix below its minimum size (1,024+ tokens on real
            // models; 32 here so tests can exercise both sides cheaply).
            if size.count / 4 < 32 {
                return dialect.rpcStatus(
                    400, "INVALID_ARGUMENT",
                    "Cached content is too small. total_token_count=\(size.count / 4), min_total_token_count=32")
            }
            let entry = emulator.caches.create(
                model: model.hasPrefix("models/") ? model : "models/" + model,
                displayName: body["displayName"]?.stringValue ?? "",
                tokens: max(1, size.count / 4), ttlSeconds: ttl)
            var described = Self.describe(entry)
            // `expire_time=<text>` in the model name: the answer's expireTime, as written (tests
            // send the gateway any timestamp a provider could).
            if let raw = MockOptions(model: Self.bare(model), headers: [])["expire_time"],
                case .object(var o) = described
            {
                o["expireTime"] = .string(raw)
                described = .object(o)
            }
            return .json(200, JSONStyle.pretty.bytes(described, trailingNewline: true), contentType: json)
        case .listCaches:
            let all = emulator.caches.all().map(Self.describe)
            let body: JSONValue = all.isEmpty ? [:] : ["cachedContents": .array(all)]
            return .json(200, JSONStyle.pretty.bytes(body, trailingNewline: true), contentType: json)
        case .getCache(let name):
            guard case .found(let entry) = emulator.caches.lookup(name) else {
                return dialect.rpcStatus(404, "NOT_FOUND", "CachedContent not found (or permission denied)")
            }
            return .json(200, JSONStyle.pretty.bytes(Self.describe(entry), trailingNewline: true), contentType: json)
        case .deleteCache(let name):
            guard emulator.caches.delete(name) else {
                return dialect.rpcStatus(404, "NOT_FOUND", "CachedContent not found (or permission denied)")
            }
            return .json(200, Array("{}\n".utf8), contentType: json)
        case .generate:
            preconditionFailure("not a cache route")
        }
    }

    private static func describe(_ entry: GeminiCacheStore.Entry) -> JSONValue {
        [
            "name": .string(entry.name), "model": .string(entry.model),
            "createTime": .string(GeminiCacheStore.timestamp(entry.created)),
            "updateTime": .string(GeminiCacheStore.timestamp(entry.created)),
            "expireTime": .string(GeminiCacheStore.timestamp(entry.expires)),
            "displayName": .string(entry.displayName), "usageMetadata": ["totalTokenCount": .int(entry.tokens)],
        ]
    }

    private static func bare(_ model: String) -> String {
        model.hasPrefix("models/") ? String(model.dropFirst(7)) : model
    }
}
