import ChatModel
import HTTPServer
import HTTPTypes
import JSON
import Providers
import Store

/// `/v1/responses`: OpenAI's Responses API (create, read, delete, input items), any provider
/// behind it. Creation runs the shared chat path with `ResponsesDoor`; stored responses live in
/// `state.responses`, each visible only to the key that made it (another key's is a 404).
struct ResponsesEndpoint: Sendable {
    let state: GatewayState

    /// `POST /v1/responses`.
    func create(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let state = self.state
        let responseId = Self.newId()
        let createdAt = WallClock.unixSeconds()
        ChatEndpoint(state: state).serve(request, writer) { caller in
            let owner = caller?.keyId
            return ResponsesDoor(
                responseId: responseId, createdAt: createdAt,
                history: { (id) throws(GatewayError) in try Self.conversation(id, owner: owner, state: state) },
                finished: { response, items in
                    Self.save(responseId, owner: owner, createdAt: createdAt, response: response, items: items, state)
                })
        }
    }

    /// `GET /v1/responses/{id}`.
    func read(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        respond(writer) { () throws(GatewayError) in
            let stored = try find(request, id: id)
            return Array(stored.response.utf8)
        }
    }

    /// `DELETE /v1/responses/{id}`.
    func delete(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        respond(writer) { () throws(GatewayError) in
            let owner = try caller(request)
            guard (try? state.responses?.delete(id: id, ownerKeyId: owner)) == true else { throw Self.missing(id) }
            return Self.body([("id", .string(id)), ("object", "response.deleted"), ("deleted", true)])
        }
    }

    /// `GET /v1/responses/{id}/input_items?limit=&order=`: the conversation's input items
    /// (earlier turns' included), newest first unless `order=asc`; `limit` 1–100, default 20.
    func inputItems(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        respond(writer) { () throws(GatewayError) in
            var limit = 20, ascending = false
            for (key, value) in request.queryItems() {
                switch key {
                case "limit":
                    guard let n = Int(value), (1...100).contains(n) else {
                        throw .invalidRequest("limit: expected a whole number from 1 to 100", param: "limit")
                    }
                    limit = n
                case "order":
                    guard value == "asc" || value == "desc" else {
                        throw .invalidRequest("order: expected asc or desc", param: "order")
                    }
                    ascending = value == "asc"
                default:
                    throw .invalidRequest("\(key): unknown query parameter (limit, order)", param: key)
                }
            }
            let stored = try find(request, id: id)
            var items = Self.parsedItems(stored.inputItems).enumerated().map { i, item in
                Self.withId(item, position: i, responseId: id)
            }
            if !ascending { items.reverse() }
            let page = Array(items.prefix(limit))
            return Self.body([
                ("object", "list"), ("data", .array(page)),
                ("first_id", page.first?["id"] ?? .null), ("last_id", page.last?["id"] ?? .null),
                ("has_more", .bool(items.count > limit)),
            ])
        }
    }

    private func respond(_ writer: ResponseWriter, _ body: () throws(GatewayError) -> [UInt8]) {
        do {
            writer.respondJSON(status: 200, body: try body())
        } catch {
            var headers = HTTPHeaders()
            for header in error.headers { headers.add(header.name, header.value) }
            writer.respondJSON(status: error.status, body: ResponsesDoor.errorBody(error), headers: headers)
        }
    }

    private func caller(_ request: HTTPRequest) throws(GatewayError) -> String? {
        (try state.authenticator(state.snapshot)?.authenticate(request) ?? .anonymous).keyId
    }

    private func find(_ request: HTTPRequest, id: String) throws(GatewayError) -> StoredResponse {
        let owner = try caller(request)
        guard let stored = Self.load(id, owner: owner, state: state) else { throw Self.missing(id) }
        return stored
    }

    private static func load(_ id: String, owner: String?, state: GatewayState) -> StoredResponse? {
        try? state.responses?.load(id: id, ownerKeyId: owner, nowSeconds: Int64(WallClock.unixSeconds())) ?? nil
    }

    static func missing(_ id: String, param: String? = nil) -> GatewayError {
        .notFound(
            "No response found with id '\(id)' (it never existed, belongs to another key, expired, or was not stored)",
            param: param)
    }

    /// A stored response's conversation, to continue: its input items, then its output.
    static func conversation(_ id: String, owner: String?, state: GatewayState) throws(GatewayError) -> [JSONValue] {
        guard let stored = load(id, owner: owner, state: state) else {
            throw missing(id, param: "previous_response_id")
        }
        let output = (try? JSONValue.parse(stored.response))?["output"]?.arrayValue ?? []
        return parsedItems(stored.inputItems) + output
    }

    private static func save(
        _ id: String, owner: String?, createdAt: Int, response: JSONValue, items: [JSONValue], _ state: GatewayState
    ) {
        guard let store = state.responses else { return }
        var responseText: [UInt8] = [], itemsText: [UInt8] = []
        response.write(into: &responseText)
        JSONValue.array(items).write(into: &itemsText)
        let created = Int64(createdAt)
        let retention = Int64(state.snapshot.responsesRetentionSeconds)
        // A failed write loses only the ability to continue from this response; the answer stands.
        try? store.purgeExpired(nowSeconds: created)
        try? store.save(
            StoredResponse(
                id: id, ownerKeyId: owner, createdAt: created, expiresAt: created &+ retention,
                inputItems: String(decoding: itemsText, as: UTF8.self),
                response: String(decoding: responseText, as: UTF8.self)))
    }

    private static func parsedItems(_ text: String) -> [JSONValue] {
        (try? JSONValue.parse(text))?.arrayValue ?? []
    }

    /// Items the client sent without an id get one, stable for the response they belong to.
    private static func withId(_ item: JSONValue, position: Int, responseId: String) -> JSONValue {
        guard case .object(var object) = item, object["id"]?.stringValue == nil else { return item }
        object.entries.insert(("id", .string("item_\(responseId.dropFirst(5))_\(position)")), at: 0)
        return .object(object)
    }

    private static func body(_ fields: [(String, JSONValue)]) -> [UInt8] {
        var out: [UInt8] = []
        JSONValue.object(JSONObject(fields)).write(into: &out)
        return out
    }

    /// `resp_` + 24 hex digits: unguessable (ownership is checked as well).
    static func newId() -> String { "resp_" + RequestID.make().dropFirst(4) }
}
