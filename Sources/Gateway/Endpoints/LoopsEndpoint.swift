import ChatModel
import HTTPServer
import JSON
import Store

/// `/v1/loops` (SPEC §6): create a loop (its stream is the response), post tool results,
/// read the transcript, cancel. A loop is visible only to the caller that created it.
struct LoopsEndpoint: Sendable {
    let state: GatewayState
    private var loops: LoopRegistry { state.loops }

    /// `POST /v1/loops`: validates, admits, and starts the first turn on this connection.
    func create(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let snapshot = state.snapshot
        // One trace for the whole loop: its request span ends with the loop.
        let trace = state.tracer?.begin(request)
        var model: String?
        do {
            let caller = try state.authenticator(snapshot)?.authenticate(request) ?? .anonymous
            writer.accessKeyId = caller.keyId
            let loopRequest = try LoopRequest.decode(try RequestBody.json(request))
            model = loopRequest.chat.model
            writer.accessModel = model
            // An unknown model is the create call's 404, not a failed first turn.
            _ = try snapshot.catalog.names(for: loopRequest.chat.model, overridingFallbacks: loopRequest.chat.fallbacks)
            var key: VirtualKey?
            if case .key(let k) = caller { key = k }
            let loop = ChatLoop(
                id: state.sharedLimits.map { LoopForwarding.newId(node: $0.nodeId) } ?? Self.newId(),
                request: loopRequest, owner: LoopOwner(caller), key: key, writer: writer,
                state: state, limits: snapshot.loopLimits, trace: trace)
            try loops.insert(loop, limits: snapshot.loopLimits)
            loop.start()
        } catch {
            writer.respondError(error)
            trace?.refused(error, model: model)
        }
    }

    /// `POST /v1/loops/{id}/tool_results`: 202 once the results are accepted; the next turn
    /// streams on the loop's own connection.
    func toolResults(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        if LoopForwarding.forwardIfElsewhere(request, id: id, state: state, writer) { return }
        do {
            let loop = try find(request, id: id, writer)
            let results = try ToolResult.decodeList(try RequestBody.json(request))
            let step = try loop.submit(results).get()
            writer.respondJSON(
                status: 202,
                body: Self.body([
                    ("loop_id", .string(id)), ("step", .int(step)),
                    ("accepted", .int(results.count)),
                ]))
        } catch {
            writer.respondError(error)
        }
    }

    /// `GET /v1/loops/{id}`: the transcript.
    func transcript(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        if LoopForwarding.forwardIfElsewhere(request, id: id, state: state, writer) { return }
        do {
            let loop = try find(request, id: id, writer)
            var out: [UInt8] = []
            loop.transcriptJSON().write(into: &out)
            writer.respondJSON(status: 200, body: out)
        } catch {
            writer.respondError(error)
        }
    }

    /// `DELETE /v1/loops/{id}`: cancels a live loop (its stream ends with `done` `cancelled`);
    /// for an ended loop, drops the transcript.
    func delete(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        if LoopForwarding.forwardIfElsewhere(request, id: id, state: state, writer) { return }
        do {
            let loop = try find(request, id: id, writer)
            let cancelled = loop.requestCancel()
            if !cancelled { loops.remove(id) }
            writer.respondJSON(
                status: 200,
                body: Self.body([
                    ("id", .string(id)), ("object", "loop"),
                    (cancelled ? "cancelled" : "deleted", true),
                ]))
        } catch {
            writer.respondError(error)
        }
    }

    /// The caller's loop; the access line names the caller's key and the loop's model.
    private func find(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) throws(GatewayError) -> ChatLoop {
        let caller = try state.authenticator(state.snapshot)?.authenticate(request) ?? .anonymous
        writer.accessKeyId = caller.keyId
        guard let loop = loops.find(id, owner: LoopOwner(caller)) else {
            throw GatewayError.notFound(
                "no loop \(id) (it never existed, belongs to another key, or its transcript expired)")
        }
        writer.accessModel = loop.model
        return loop
    }

    private static func body(_ fields: [(String, JSONValue)]) -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(JSONObject(fields)).write(into: &out)
        return out
    }

    /// `loop_` + 24 hex digits: unguessable, so an id alone does not reach another key's loop
    /// (ownership is checked as well).
    static func newId() -> String {
        "loop_" + RequestID.make().dropFirst(4)
    }
}
