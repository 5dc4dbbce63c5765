import ChatModel
import JSON

/// The built-in table plus the configuration's `prices:` overrides, which win. The most
/// specific name that has a price decides: the deployment that answered (`provider/model`,
/// or `provider/*` for every model of a provider, e.g. a self-hosted server at 0), then the
/// alias the client asked for, then the model id (exact or dated, as the table), then the table.
/// The deployment comes first because it is what was billed: an alias over an Azure and an
/// OpenAI deployment costs what whichever answered charges.
public struct Pricer: Sendable {
    public let table: PriceTable
    /// Overrides by the name the configuration gives (a deployment, an alias or a model id).
    public let overrides: [String: ModelPrice]
    /// `match`'s answers for this table and these overrides (a new pricer starts a new cache),
    /// and the overrides by provider, split once here so the lookup per request builds no string.
    private let cache: PriceMatchCache

    public init(table: PriceTable = .builtIn, overrides: [String: ModelPrice] = [:]) {
        self.table = table
        self.overrides = overrides
        var byProvider: [String: [String: ModelPrice]] = [:]
        for (name, price) in overrides {
            guard let slash = name.firstIndex(of: "/") else { continue }
            let model = name[name.index(after: slash)...]
            guard slash != name.startIndex, !model.isEmpty else { continue }
            byProvider[String(name[..<slash]), default: [:]][String(model)] = price
        }
        cache = PriceMatchCache(byProvider: byProvider)
    }

    /// The price for a request to `alias` answered by `provider`'s `model`. Nil when none knows it.
    public func match(alias: String?, provider: String? = nil, model: String?) -> PriceMatch? {
        // Without overrides the answer is the table's for `model` alone: keyed by it alone, so
        // every alias and provider naming one model shares an entry. Asked first even for an id
        // the table names as it is: the cache's lookup costs less than the table's (a larger
        // dictionary) plus building the entry's name.
        let key =
            overrides.isEmpty
            ? PriceMatchCache.Key(alias: nil, provider: nil, model: model)
            : PriceMatchCache.Key(alias: alias, provider: provider, model: model)
        if let known = cache.answer(for: key) { return known }
        let found = uncachedMatch(alias: alias, provider: provider, model: model)
        cache.store(found, for: key)
        return found
    }

    /// How many answers this pricer keeps (tests check the bound).
    var cachedAnswers: Int { cache.count }

    /// `match` without the cache: the rules above, applied from scratch.
    func uncachedMatch(alias: String?, provider: String?, model: String?) -> PriceMatch? {
        if let provider, let models = cache.byProvider[provider], let model, !model.isEmpty {
            if let price = models[model] { return PriceMatch(entry: "config:\(provider)/\(model)", price: price) }
            for candidate in ModelIdMatching.candidates(model).dropFirst() {
                if let price = models[candidate] {
                    return PriceMatch(entry: "config:\(provider)/\(candidate)", price: price)
                }
            }
            if let price = models["*"] { return PriceMatch(entry: "config:\(provider)/*", price: price) }
        }
        if let alias, let price = overrides[alias] { return PriceMatch(entry: "config:\(alias)", price: price) }
        guard let model, !model.isEmpty else { return nil }
        // Once per request: the exact id first, without building the candidate list, when no
        // override could take precedence over the table.
        if let price = overrides[model] { return PriceMatch(entry: "config:\(model)", price: price) }
        if overrides.isEmpty { return table.match(model) }
        for candidate in ModelIdMatching.candidates(model) {
            if let price = overrides[candidate] { return PriceMatch(entry: "config:\(candidate)", price: price) }
        }
        return table.match(model)
    }

    /// The cost of a request's usage; nil when its model has no price (unknown, not free).
    public func cost(_ usage: Usage, alias: String?, provider: String? = nil, model: String?) -> Cost? {
        guard let match = match(alias: alias, provider: provider, model: model) else { return nil }
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
