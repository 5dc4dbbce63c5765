import JSON

/// Model prices by name, with the date and source of their figures.
public struct PriceTable: Sendable {
    public var asOf: String
    public var source: String
    public var models: [String: ModelPrice]

    public init(asOf: String, source: String, models: [String: ModelPrice]) {
        self.asOf = asOf
        self.source = source
        self.models = models
    }

    /// The table shipped in the binary (`Sources/Pricing/prices.json`). A broken file is a
    /// build-time mistake the unit tests catch; the daemon then runs with an empty table
    /// (every cost unknown) rather than not at all.
    public static let builtIn: PriceTable =
        (try? parse(PackageResources.prices_json))
        ?? PriceTable(asOf: "", source: "unavailable", models: [:])

    /// The entry for `model`: the exact name, else the name without its date or version
    /// suffix (`ModelIdMatching`). Nil for a model the table does not know.
    public func match(_ model: String) -> PriceMatch? {
        if let price = models[model] { return PriceMatch(entry: "table:\(model)", price: price) }
        for candidate in ModelIdMatching.candidates(model).dropFirst() {
            if let price = models[candidate] { return PriceMatch(entry: "table:\(candidate)", price: price) }
        }
        return nil
    }

    /// Reads a price list in the `prices.json` shape.
    public static func parse(_ bytes: [UInt8]) throws(PriceError) -> PriceTable {
        let json: JSONValue
        do { json = try JSONValue.parse(bytes) } catch { throw PriceError(key: "prices.json", problem: "\(error)") }
        guard let models = json["models"]?.objectValue else {
            throw PriceError(key: "models", problem: "expected an object of model prices")
        }
        var out: [String: ModelPrice] = [:]
        // An entry's own `source` names where its figures come from when not from the table's source.
        for name in models.keys {
            out[name] = try ModelPrice.read(models[name]!, key: "models.\(name)", extraKeys: ["provider", "source"])
        }
        return PriceTable(
            asOf: json["as_of"]?.stringValue ?? "", source: json["source"]?.stringValue ?? "",
            models: out)
    }
}

/// A price that cannot be used, named by its key (`prices.gpt-4o.input`).
public struct PriceError: Error, Sendable, Equatable, CustomStringConvertible {
    public var key: String
    public var problem: String
    public init(key: String, problem: String) {
        self.key = key
        self.problem = problem
    }
    public var description: String { "\(key): \(problem)" }
}

extension ModelPrice {
    static let priceKeys = ["input", "output", "cache_read", "cache_write_5m", "cache_write_1h"]

    /// `{input, output, cache_read?, cache_write_5m?, cache_write_1h?, tiers?}`, every price
    /// checked against `TokenPrices.allowedRange`.
    static func read(_ value: JSONValue, key: String, extraKeys: Set<String> = []) throws(PriceError) -> ModelPrice {
        guard let object = value.objectValue else { throw PriceError(key: key, problem: "expected an object") }
        for name in object.keys where !priceKeys.contains(name) && name != "tiers" && !extraKeys.contains(name) {
            throw PriceError(
                key: "\(key).\(name)",
                problem: "unknown key (\(priceKeys.joined(separator: ", ")), tiers)")
        }
        let base = try TokenPrices.read(object, key: key)
        var tiers: [PriceTier] = []
        if let list = object["tiers"] {
            guard let items = list.arrayValue else { throw PriceError(key: "\(key).tiers", problem: "expected a list") }
            for (i, item) in items.enumerated() {
                let tierKey = "\(key).tiers[\(i)]"
                guard let tier = item.objectValue else { throw PriceError(key: tierKey, problem: "expected an object") }
                guard case .number(let literal)? = tier["above"], let above = Int(literal),
                    (1...Int(Int32.max)).contains(above)
                else {
                    throw PriceError(key: "\(tierKey).above", problem: "expected a whole number of prompt tokens")
                }
                // A tier's missing figures are the base's, not the input price.
                var merged = JSONObject()
                for name in priceKeys { merged[name] = tier[name] ?? .number(String(base.figure(name))) }
                tiers.append(PriceTier(above: above, prices: try TokenPrices.read(merged, key: tierKey)))
            }
        }
        return ModelPrice(base, tiers: tiers)
    }
}

extension TokenPrices {
    /// One figure by its key name.
    func figure(_ name: String) -> Double {
        switch name {
        case "input": return input
        case "output": return output
        case "cache_read": return cacheRead
        case "cache_write_5m": return cacheWrite5m
        default: return cacheWrite1h
        }
    }

    static func read(_ object: JSONObject, key: String) throws(PriceError) -> TokenPrices {
        func price(_ name: String, required: Bool) throws(PriceError) -> Double? {
            guard let value = object[name], !value.isNull else {
                if required { throw PriceError(key: "\(key).\(name)", problem: "required (USD per million tokens)") }
                return nil
            }
            return try checked(value, key: "\(key).\(name)")
        }
        return TokenPrices(
            input: try price("input", required: true)!, output: try price("output", required: true)!,
            cacheRead: try price("cache_read", required: false),
            cacheWrite5m: try price("cache_write_5m", required: false),
            cacheWrite1h: try price("cache_write_1h", required: false))
    }

    /// A number in `allowedRange`: negative, NaN, infinite and absurd prices are refused.
    static func checked(_ value: JSONValue, key: String) throws(PriceError) -> Double {
        guard case .number(let literal) = value, let n = Double(literal), n.isFinite else {
            throw PriceError(key: key, problem: "expected a number of US dollars per million tokens")
        }
        guard allowedRange.contains(n) else {
            throw PriceError(
                key: key,
                problem: "must be between \(Int(allowedRange.lowerBound)) and "
                    + "\(Int(allowedRange.upperBound)) US dollars per million tokens")
        }
        return n
    }
}
