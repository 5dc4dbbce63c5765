import ChatModel
import HTTPServer
import JSON

/// `POST /v1/chat`: the unified chat API (SPEC §3–4), streamed by default.
struct ChatEndpoint: Sendable {
    let state: GatewayState

    func handle(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let chatRequest: ChatRequest
        let routes: [ModelRoute]
        let snapshot = state.snapshot
        var admission: KeyAdmission?
        do {
            let caller = try state.authenticator(snapshot)?.authenticate(request) ?? .anonymous
            let json = try RequestBody.json(request)
            chatRequest = try ChatRequest.decode(json)
            routes = try snapshot.catalog.chain(for: chatRequest.model, overridingFallbacks: chatRequest.fallbacks)
            if case .key(let key) = caller {
                admission = try KeyAdmission.admit(key, request: chatRequest, state: state)
            }
        } catch {
            writer.respondError(error)
            return
        }
        let state = self.state
        let execution = ChatExecution(request: chatRequest, routes: routes, registry: snapshot.registry,
                                      writer: writer, keepAliveSeconds: snapshot.keepAliveSeconds,
                                      contextCaches: state.contextCaches, cacheTTLSeconds: snapshot.geminiCacheTTLSeconds) { [admission] record in
            admission?.complete(record, state: state)
            state.record(record, keyId: admission?.key.id)
        }
        execution.run()
    }
}

/// Reading a request body as JSON, with the errors SPEC §5 asks for.
enum RequestBody {
    /// Accepts `application/json`, no content type, and curl's default form type (so
    /// `curl -d '{…}'` works as the README shows); anything else is a 415.
    static func json(_ request: HTTPRequest) throws(GatewayError) -> JSONValue {
        if let type = request.headers["content-type"] {
            let media = String(type.split(separator: ";", maxSplits: 1).first ?? "")
                .filter { $0 != " " && $0 != "\t" }.lowercased()
            if media != "application/json" && media != "application/x-www-form-urlencoded" && !media.hasSuffix("+json") {
                throw GatewayError(status: 415, type: .invalidRequest,
                                   message: "unsupported content type \"\(media)\": send application/json")
            }
        }
        if request.body.isEmpty {
            throw GatewayError.invalidRequest("request body is empty: send a JSON object")
        }
        do {
            return try JSONValue.parse(request.body)
        } catch {
            throw GatewayError.invalidRequest("malformed JSON: \(error)")
        }
    }
}

extension ResponseWriter {
    /// Sends a SPEC §5 error envelope with its status and headers.
    func respondError(_ error: GatewayError) {
        var headers = HTTPHeaders()
        for header in error.headers { headers.add(header.name, header.value) }
        respondJSON(status: error.status, body: error.body(requestId: requestId), headers: headers)
    }
}
