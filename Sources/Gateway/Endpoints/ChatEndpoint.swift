import ChatModel
import HTTPServer
import HTTPTypes
import JSON
import Providers

/// `POST /v1/chat`: the unified chat API (SPEC §3–4), streamed by default.
struct ChatEndpoint: Sendable {
    let state: GatewayState

    func handle(_ request: HTTPRequest, _ writer: ResponseWriter) {
        serve(request, writer) { _ in UnifiedDoor() }
    }

    /// `POST /v1/chat/completions`: OpenAI's SDKs, any provider behind them.
    func handleOpenAI(_ request: HTTPRequest, _ writer: ResponseWriter) {
        serve(request, writer) { _ in OpenAIDoor() }
    }

    /// `POST /v1/messages`: Anthropic's SDKs, any provider behind them.
    func handleAnthropic(_ request: HTTPRequest, _ writer: ResponseWriter) {
        serve(request, writer) { _ in AnthropicDoor() }
    }

    /// The shared path: auth, decoding by the front door, routing, limits, execution. Errors
    /// before the execution starts are written in the door's dialect. `makeDoor` gets the
    /// caller once known (nil: the door that answers an authentication error).
    func serve<Door: FrontDoor>(_ request: HTTPRequest, _ writer: ResponseWriter, makeDoor: (Caller?) -> Door) {
        var door = makeDoor(nil)
        let chatRequest: ChatRequest
        let encoder: any ChatEncoder
        let routes: [ModelRoute]
        let snapshot = state.snapshot
        var caller: Caller?
        var decoded: ChatRequest?
        let trace = state.tracer?.begin(request)
        do {
            caller = try state.authenticator(snapshot)?.authenticate(request) ?? .anonymous
            door = makeDoor(caller)
            writer.accessKeyId = caller?.keyId
            let json = try RequestBody.json(request)
            let read = try door.decode(json)
            (chatRequest, encoder) = (read.request, read.encoder)
            decoded = chatRequest
            writer.accessModel = chatRequest.model
            routes = try snapshot.catalog.chain(for: chatRequest.model, overridingFallbacks: chatRequest.fallbacks)
        } catch {
            refuse(error, caller: caller, decoded: decoded, writer, door: door, trace: trace)
            return
        }
        guard case .key(let key)? = caller else {
            execute(
                chatRequest, routes: routes, encoder: encoder, admission: nil, snapshot: snapshot, writer, trace: trace)
            return
        }
        // With the Redis limits backend this continues from Redis's reply, on this loop.
        let chosenDoor = door
        KeyAdmission.admit(key, request: chatRequest, state: state, loop: writer.loop) { [self] result in
            switch result {
            case .success(let admission):
                execute(
                    chatRequest, routes: routes, encoder: encoder, admission: admission, snapshot: snapshot, writer,
                    trace: trace)
            case .failure(let error):
                refuse(error, caller: caller, decoded: chatRequest, writer, door: chosenDoor, trace: trace)
            }
        }
    }

    private func refuse(
        _ error: GatewayError, caller: Caller?, decoded: ChatRequest?, _ writer: ResponseWriter, door: some FrontDoor,
        trace: RequestTrace?
    ) {
        var headers = HTTPHeaders()
        for header in error.headers { headers.add(header.name, header.value) }
        writer.respondJSON(status: error.status, body: door.error(error, requestId: writer.requestId), headers: headers)
        trace?.refused(error, model: decoded?.model)
        if caller != nil, let decoded {
            // A known caller's request refused before it was sent (unknown model, not
            // allowed, over a limit) is still a request: it gets its usage row.
            state.record(.refused(decoded, error: error, requestId: writer.requestId), keyId: caller?.keyId)
        }
    }

    private func execute(
        _ chatRequest: ChatRequest, routes: [ModelRoute], encoder: any ChatEncoder, admission: KeyAdmission?,
        snapshot: GatewaySnapshot, _ writer: ResponseWriter, trace: RequestTrace?
    ) {
        let state = self.state
        let execution = ChatExecution(
            request: chatRequest, routes: routes, registry: snapshot.registry,
            secrets: snapshot.secrets, writer: writer,
            keepAliveSeconds: snapshot.keepAliveSeconds,
            contextCaches: state.contextCaches, cacheTTLSeconds: snapshot.geminiCacheTTLSeconds,
            encoder: encoder, pricer: snapshot.pricer, trace: trace, sharedLimits: state.sharedLimits
        ) { [admission] record in
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
            let media = mediaType(type)
            if media != "application/json" && media != "application/x-www-form-urlencoded" && !media.hasSuffix("+json")
            {
                throw GatewayError(
                    status: 415, type: .invalidRequest,
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

/// The media type of a `Content-Type` value, lower-cased, without parameters or blanks. On
/// bytes: it runs for every request, and String's character-level operations cost more than
/// parsing the JSON body.
func mediaType(_ value: String) -> String {
    // What clients send nearly always: nothing to lower-case or cut.
    if value.utf8.count == 16 && value == "application/json" { return value }
    var out: [UInt8] = []
    out.reserveCapacity(value.utf8.count)
    for b in value.utf8 {
        if b == UInt8(ascii: ";") { break }
        if b == 0x20 || b == 0x09 { continue }
        out.append(b >= 65 && b <= 90 ? b + 32 : b)
    }
    return String(decoding: out, as: UTF8.self)
}

extension ResponseWriter {
    /// Sends a SPEC §5 error envelope with its status and headers.
    func respondError(_ error: GatewayError) {
        var headers = HTTPHeaders()
        for header in error.headers { headers.add(header.name, header.value) }
        respondJSON(status: error.status, body: error.body(requestId: requestId), headers: headers)
    }
}
