import ChatModel
import JSON

/// The built-in table plus the configuration's `prices:` overrides, which win: per alias
/// first (the name a client asked for), then per model id (exact or dated, as the table).
public struct Pricer: Sendable {
    public let table: PriceTable
    /// Overrides by the name the configuration gives (an alias or a model id).
    public let overrides: [String: ModelPrice]

    public init(table: PriceTable = .builtIn, overrides: [String: ModelPrice] = [:]) {
        self.table = table
        self.overrides = overrides
    }

    /// The price for a request to `alias` answered by `model`: an override for the alias,
    /// else an override for the model, else the table's entry. Nil when none knows it.
    public func match(alias: String?, model: String?) -> PriceMatch? {
        if let alias, let price = overrides[alias] { return PriceMatch(entry: "config:\(alias)", price: price) }
        guard let model, !model.isEmpty else { return nil }
        // Per request (twice: the answer's usage and its row): the exact id first, without
        // building the candidate list, when no override could take precedence over the table.
        if let price = overrides[model] { return PriceMatch(entry: "config:\(model)", price: price) }
        if overrides.isEmpty { return table.match(model) }
        for candidate in ModelIdMatching.candidates(model) {
            if let price = overrides[candidate] { return PriceMatch(entry: "config:\(candidate)", price: price) }
        }
        return table.match(model)
    }

    /// The cost of a request's usage; nil when its model has no price (unknown, not free).
    public func cost(_ usage: Usage, alias: String?, model: String?) -> Cost? {
        guard let match = match(alias: alias, model: model) else { return nil }
        return Cost(usd: match.price.cost(of: usage), entry: match.entry)
    }

    /// Reads the configuration's `prices:` mapping, given as JSON (`{name: {input, output, …}}`);
    /// the error names the offending key (`prices.gpt-4o.input`).
    public static func overrides(_ json: JSONValue) throws(PriceError) -> [String: ModelPrice] {
        guard let object = json.objectValue else {
            throw PriceError(key: "prices", problem: "expected a mapping of model names")
        }
        var out: [String: ModelPrice] = [:]
        for name in object.keys { out[name] = try ModelPrice.read(object[name]!, key: "prices.\(name)") }
        return out
    }
}
