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
        let snapshot = state.currentSnapshot
        var caller: Caller?
        let trace = state.tracer?.begin(request)
        do {
            caller = try state.authenticator(snapshot)?.authenticate(request) ?? .anonymous
            door = makeDoor(caller)
            writer.accessKeyId = caller?.keyId
            let json = try RequestBody.json(request)
            // Taken apart as it is returned: fields read out of a tuple kept whole copy the request.
            let (decoded, doorEncoder) = try door.decode(json)
            chatRequest = decoded
            encoder = doorEncoder
        } catch {
            refuse(error, caller: caller, decoded: nil, writer, door: door, trace: trace)
            return
        }
        // Apart from the decoding: a copy of the decoded request kept for the refusal would cost
        // every request a copy of `ChatRequest` and its release (issue 13).
        writer.accessModel = chatRequest.model
        do {
            routes = try snapshot.value.catalog.chain(
                for: chatRequest.model, overridingFallbacks: chatRequest.fallbacks)
        } catch {
            refuse(error, caller: caller, decoded: chatRequest, writer, door: door, trace: trace)
            return
        }
        guard case .key(let key)? = caller else {
            // Its last use on this path: the execution takes the request itself, not a copy.
            makeExecution(
                consume chatRequest, routes: routes, encoder: encoder, snapshot: snapshot, writer, trace: trace
            ) { nil }.run()
            return
        }
        let chosenDoor = door
        guard KeyAdmission.awaitsRedis(key, state: state) else {
            // Local limits decide at once.
            KeyAdmission.admit(key, request: chatRequest, state: state, loop: writer.loop) { [self] result in
                switch result {
                case .success(let admission):
                    makeExecution(
                        chatRequest, routes: routes, encoder: encoder, snapshot: snapshot, writer, trace: trace
                    ) { admission }.run()
                case .failure(let error):
                    refuse(error, caller: caller, decoded: chatRequest, writer, door: chosenDoor, trace: trace)
                }
            }
            return
        }
        // The Redis limits backend: the admission goes out first, and while Redis answers the
        // execution is made and its first upstream request translated; it runs from the reply.
        let decision = AdmissionDecision()
        let execution = makeExecution(
            chatRequest, routes: routes, encoder: encoder, snapshot: snapshot, writer, trace: trace
        ) { decision.admission }
        KeyAdmission.admit(key, request: chatRequest, state: state, loop: writer.loop) { [self] result in
            decision.decided = true
            switch result {
            case .success(let admission):
                decision.admission = admission
                execution.run()
            case .failure(let error):
                refuse(error, caller: caller, decoded: chatRequest, writer, door: chosenDoor, trace: trace)
            }
        }
        if !decision.decided { execution.prepareFirstAttempt() }
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

    /// The request's execution, not yet run; `admission` is read when it ends (to settle the
    /// key's limits), by then decided.
    private func makeExecution(
        _ chatRequest: consuming ChatRequest, routes: [ModelRoute], encoder: any ChatEncoder, snapshot: SnapshotHandle,
        _ writer: ResponseWriter, trace: RequestTrace?, admission: @escaping () -> KeyAdmission?
    ) -> ChatExecution {
        let state = self.state
        // Field by field through the handle: `snapshot.value` bound to a name is a whole copy.
        return ChatExecution(
            request: chatRequest, routes: routes, registry: snapshot.value.registry,
            secrets: snapshot.value.secrets, writer: writer,
            keepAliveSeconds: snapshot.value.keepAliveSeconds,
            contextCaches: state.contextCaches, cacheTTLSeconds: snapshot.value.geminiCacheTTLSeconds,
            encoder: encoder, pricer: snapshot.value.pricer, trace: trace, sharedLimits: state.sharedLimits
        ) { record in
            let admission = admission()
            admission?.complete(record, state: state)
            state.record(record, keyId: admission?.key.id)
        }
    }
}

/// A key's admission by Redis, decided when the reply comes (loop-confined, like the request).
private final class AdmissionDecision {
    var decided = false
    var admission: KeyAdmission?
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
