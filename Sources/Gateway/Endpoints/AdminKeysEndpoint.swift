import ChatModel
import Dispatch
import HTTPServer
import JSON
import Pricing
import Store

/// `POST/GET /admin/keys`, `DELETE /admin/keys/{id}` (SPEC §7), admin key only. SQLite work
/// runs off the event loop; the answer hops back to it.
struct AdminKeysEndpoint: Sendable {
    let authenticator: Authenticator

    private var registry: KeyRegistry { authenticator.registry }

    func create(_ request: HTTPRequest, _ writer: ResponseWriter) {
        let spec: KeySpec
        do {
            try authenticator.authenticateAdmin(request)
            spec = try KeySpec.decode(try RequestBody.json(request))
        } catch {
            writer.respondError(error)
            return
        }
        offLoop(writer) { () throws -> (Int, JSONValue) in
            let (key, secret) = try registry.keyStore.create(
                name: spec.name, models: spec.models, rpm: spec.rpm, tpm: spec.tpm, maxConcurrent: spec.maxConcurrent,
                tokenBudget: spec.tokenBudget, budgetUSD: spec.budgetUSD, budgetPeriod: spec.budgetPeriod ?? .total,
                now: WallClock.unixSeconds())
            try registry.refresh()
            var object = Self.json(key)
            object["key"] = .string(secret)
            return (201, .object(object))
        }
    }

    /// `PATCH /admin/keys/{id}`: changes the fields the body names (null removes a limit).
    func update(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        writer.routeLabel = "/admin/keys/{id}"
        let changes: KeyChanges
        do {
            try authenticator.authenticateAdmin(request)
            changes = try KeySpec.changes(try RequestBody.json(request))
        } catch {
            writer.respondError(error)
            return
        }
        offLoop(writer) { () throws -> (Int, JSONValue) in
            guard let key = try registry.keyStore.update(id: id, changes) else {
                throw GatewayError.notFound("no active key \(id)")
            }
            try registry.refresh()
            return (200, .object(Self.json(key)))
        }
    }

    func list(_ request: HTTPRequest, _ writer: ResponseWriter) {
        do { try authenticator.authenticateAdmin(request) } catch { writer.respondError(error); return }
        offLoop(writer) { () throws -> (Int, JSONValue) in
            let keys = try registry.keyStore.all()
            return (
                200, .object(JSONObject([("object", "list"), ("data", .array(keys.map { .object(Self.json($0)) }))]))
            )
        }
    }

    func revoke(_ request: HTTPRequest, id: String, _ writer: ResponseWriter) {
        do { try authenticator.authenticateAdmin(request) } catch { writer.respondError(error); return }
        offLoop(writer) { () throws -> (Int, JSONValue) in
            guard try registry.keyStore.revoke(id: id, now: WallClock.unixSeconds()) else {
                throw GatewayError.notFound("no active key \(id)")
            }
            try registry.refresh()
            return (200, .object(JSONObject([("id", .string(id)), ("revoked", true)])))
        }
    }

    static func json(_ key: VirtualKey) -> JSONObject {
        func optional(_ n: Int?) -> JSONValue { n.map { .int($0) } ?? .null }
        return JSONObject([
            ("id", .string(key.id)), ("name", .string(key.name)), ("created", .int(key.created)),
            ("revoked", key.revoked.map { _ in .bool(true) } ?? .bool(false)),
            ("revoked_at", optional(key.revoked)),
            ("models", .array(key.models.map { .string($0) })), ("rpm", optional(key.rpm)), ("tpm", optional(key.tpm)),
            ("max_concurrent", optional(key.maxConcurrent)), ("token_budget", optional(key.tokenBudget)),
            ("budget_usd", key.budgetUSD.map { .number(DollarBudgets.dollars($0)) } ?? .null),
            ("budget_period", .string(key.budgetPeriod.rawValue)),
        ])
    }
}

/// The body of `POST /admin/keys`.
struct KeySpec {
    var name: String
    var models: [String] = []
    var rpm: Int?
    var tpm: Int?
    var maxConcurrent: Int?
    var tokenBudget: Int?
    var budgetUSD: Double?
    var budgetPeriod: BudgetPeriod?

    static let fields: Set<String> = [
        "name", "models", "rpm", "tpm", "max_concurrent", "token_budget", "budget_usd",
        "budget_period",
    ]

    /// `budget_usd`: dollars, 0 or null meaning none.
    static func budgetUSD(_ o: JSONObject) throws(GatewayError) -> Double? {
        let n = try FieldReader.number(o["budget_usd"], at: "budget_usd", range: AllowedRanges.keyBudgetUSD)
        return n == 0 ? nil : n
    }

    static func budgetPeriod(_ o: JSONObject) throws(GatewayError) -> BudgetPeriod? {
        guard let raw = o["budget_period"], !raw.isNull else { return nil }
        guard let text = raw.stringValue, let period = BudgetPeriod(rawValue: text) else {
            throw .invalidRequest(
                "budget_period: expected one of total, daily, weekly, monthly",
                param: "budget_period")
        }
        return period
    }

    /// The body of `PATCH /admin/keys/{id}`: any of the creation fields.
    static func changes(_ json: JSONValue) throws(GatewayError) -> KeyChanges {
        guard case .object(let o) = json else { throw .invalidRequest("body: expected an object") }
        for key in o.keys where !fields.contains(key) { throw .invalidRequest("\(key): unknown field", param: key) }
        var changes = KeyChanges()
        if let raw = o["name"] {
            guard let name = raw.stringValue, !name.isEmpty else {
                throw .invalidRequest("name: expected a non-empty string", param: "name")
            }
            changes.name = name
        }
        if o["models"] != nil { changes.models = try models(o) }
        if o["rpm"] != nil { changes.rpm = .some(try limit(o, "rpm", AllowedRanges.keyRPM)) }
        if o["tpm"] != nil { changes.tpm = .some(try limit(o, "tpm", AllowedRanges.keyTPM)) }
        if o["max_concurrent"] != nil {
            changes.maxConcurrent = .some(try limit(o, "max_concurrent", AllowedRanges.keyMaxConcurrent))
        }
        if o["token_budget"] != nil {
            changes.tokenBudget = .some(try limit(o, "token_budget", AllowedRanges.keyTokenBudget))
        }
        if o["budget_usd"] != nil { changes.budgetUSD = .some(try budgetUSD(o)) }
        changes.budgetPeriod = try budgetPeriod(o)
        return changes
    }

    static func models(_ o: JSONObject) throws(GatewayError) -> [String] {
        guard let models = o["models"], !models.isNull else { return [] }
        guard let list = models.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
            throw .invalidRequest("models: expected an array of model names", param: "models")
        }
        return list.compactMap(\.stringValue)
    }

    /// 0 or absent: unlimited.
    static func limit(_ o: JSONObject, _ field: String, _ range: ClosedRange<Int>) throws(GatewayError) -> Int? {
        guard let raw = o[field], !raw.isNull else { return nil }
        let n = try FieldReader.int(raw, at: field, range: range)
        return n == 0 ? nil : n
    }

    static func decode(_ json: JSONValue) throws(GatewayError) -> KeySpec {
        guard case .object(let o) = json else { throw .invalidRequest("body: expected an object") }
        for key in o.keys where !fields.contains(key) { throw .invalidRequest("\(key): unknown field", param: key) }
        guard let name = o["name"]?.stringValue, !name.isEmpty else {
            throw .invalidRequest("name: required non-empty string", param: "name")
        }
        var spec = KeySpec(name: name)
        if let models = o["models"], !models.isNull {
            guard let list = models.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                throw .invalidRequest("models: expected an array of model names", param: "models")
            }
            spec.models = list.compactMap(\.stringValue)
        }
        /// 0 or absent: unlimited.
        func limit(_ field: String, _ range: ClosedRange<Int>) throws(GatewayError) -> Int? {
            guard let raw = o[field], !raw.isNull else { return nil }
            let n = try FieldReader.int(raw, at: field, range: range)
            return n == 0 ? nil : n
        }
        spec.rpm = try limit("rpm", AllowedRanges.keyRPM)
        spec.tpm = try limit("tpm", AllowedRanges.keyTPM)
        spec.maxConcurrent = try limit("max_concurrent", AllowedRanges.keyMaxConcurrent)
        spec.tokenBudget = try limit("token_budget", AllowedRanges.keyTokenBudget)
        spec.budgetUSD = try budgetUSD(o)
        spec.budgetPeriod = try budgetPeriod(o)
        return spec
    }
}

/// Runs control-plane work on a background queue and answers on the writer's loop.
func offLoop(_ writer: ResponseWriter, _ work: @escaping @Sendable () throws -> (Int, JSONValue)) {
    DispatchQueue.global().async {
        let outcome: Result<(Int, JSONValue), Error> = Result { try work() }
        writer.loop.execute {
            switch outcome {
            case .success(let (status, json)):
                var body: [UInt8] = []
                json.write(into: &body)
                writer.respondJSON(status: status, body: body)
            case .failure(let error as GatewayError):
                writer.respondError(error)
            case .failure(let error):
                writer.respondError(GatewayError(status: 500, type: .internalError, message: "storage error: \(error)"))
            }
        }
    }
}
