import ArgumentParser
import Foundation
import JSON

/// `switchboard models`: what the daemon can route to.
struct Models: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the daemon's models and aliases.")
    @OptionGroup var client: ClientOptions

    func run() throws {
        let (_, json, _) = try runClient { try DaemonClient.call(client, "GET", "/v1/models") }
        if client.json { DaemonClient.printJSON(json); return }
        let data = json?["data"]?.arrayValue ?? []
        print(
            renderTable(
                ["MODEL", "PROVIDER", "PROVIDER MODEL", "FALLBACKS"],
                data.map {
                    [
                        describe($0["id"]), describe($0["provider"]), describe($0["model"]),
                        $0["fallbacks"]?.arrayValue?.compactMap(\.stringValue).joined(separator: ",") ?? "-",
                    ]
                }))
    }
}

/// `switchboard keys create|list|revoke` (admin key).
struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage virtual API keys (needs the admin key).",
        subcommands: [Create.self, List.self, Update.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key; its secret is printed once.")
        @OptionGroup var client: ClientOptions
        @Argument(help: "A name for the key.") var name: String
        @Option(help: "Allowed models, comma-separated (default: all).") var models: String?
        @Option var rpm: Int?
        @Option var tpm: Int?
        @Option var maxConcurrent: Int?
        @Option var tokenBudget: Int?
        @Option(help: "Dollars the key may spend per period.") var budgetUSD: Double?
        @Option(help: "When the dollar budget starts again: total (never), daily, weekly or monthly (UTC).")
        var period: String?

        func run() throws {
            var body = JSONObject([("name", .string(name))])
            if let budgetUSD { body["budget_usd"] = .number("\(budgetUSD)") }
            if let period { body["budget_period"] = .string(period) }
            if let models { body["models"] = .array(models.split(separator: ",").map { .string(String($0)) }) }
            if let rpm { body["rpm"] = .int(rpm) }
            if let tpm { body["tpm"] = .int(tpm) }
            if let maxConcurrent { body["max_concurrent"] = .int(maxConcurrent) }
            if let tokenBudget { body["token_budget"] = .int(tokenBudget) }
            let (_, json, _) = try runClient {
                try DaemonClient.call(client, "POST", "/admin/keys", body: .object(body), admin: true)
            }
            if client.json { DaemonClient.printJSON(json); return }
            let key = json ?? .object(JSONObject())
            print("created \(describe(key["id"])) (\(describe(key["name"])))")
            print("key: \(describe(key["key"]))")
            print("(store it now: only its hash is kept)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets).")
        @OptionGroup var client: ClientOptions

        func run() throws {
            let (_, json, _) = try runClient { try DaemonClient.call(client, "GET", "/admin/keys", admin: true) }
            if client.json { DaemonClient.printJSON(json); return }
            let data = json?["data"]?.arrayValue ?? []
            print(
                renderTable(
                    ["ID", "NAME", "MODELS", "RPM", "TPM", "CONCURRENT", "BUDGET", "BUDGET USD", "REVOKED"],
                    data.map {
                        [
                            describe($0["id"]), describe($0["name"]), describe($0["models"]), describe($0["rpm"]),
                            describe($0["tpm"]), describe($0["max_concurrent"]), describe($0["token_budget"]),
                            $0["budget_usd"]?.isNull == false
                                ? "$\(describe($0["budget_usd"]))/\(describe($0["budget_period"]))" : "",
                            $0["revoked"]?.boolValue == true ? "yes" : "no",
                        ]
                    }))
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a key's dollar budget, token budget or limits (0 removes one).")
        @OptionGroup var client: ClientOptions
        @Argument var id: String
        @Option var name: String?
        @Option var rpm: Int?
        @Option var tpm: Int?
        @Option var maxConcurrent: Int?
        @Option var tokenBudget: Int?
        @Option(help: "Dollars the key may spend per period (0: no dollar budget).") var budgetUSD: Double?
        @Option(help: "total, daily, weekly or monthly (UTC).") var period: String?

        func run() throws {
            var body = JSONObject()
            if let name { body["name"] = .string(name) }
            if let rpm { body["rpm"] = .int(rpm) }
            if let tpm { body["tpm"] = .int(tpm) }
            if let maxConcurrent { body["max_concurrent"] = .int(maxConcurrent) }
            if let tokenBudget { body["token_budget"] = .int(tokenBudget) }
            if let budgetUSD { body["budget_usd"] = .number("\(budgetUSD)") }
            if let period { body["budget_period"] = .string(period) }
            let (_, json, _) = try runClient {
                try DaemonClient.call(client, "PATCH", "/admin/keys/\(id)", body: .object(body), admin: true)
            }
            if client.json { DaemonClient.printJSON(json); return }
            print("updated \(id)")
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by id.")
        @OptionGroup var client: ClientOptions
        @Argument var id: String

        func run() throws {
            let (_, json, _) = try runClient {
                try DaemonClient.call(client, "DELETE", "/admin/keys/\(id)", admin: true)
            }
            if client.json { DaemonClient.printJSON(json); return }
            print("revoked \(id)")
        }
    }
}

/// `switchboard usage`: token sums.
struct UsageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "usage", abstract: "Show token usage and its cost.")
    @OptionGroup var client: ClientOptions
    @Option(help: "From (Unix seconds or YYYY-MM-DD).") var since: String?
    @Option(help: "Until (Unix seconds or YYYY-MM-DD), exclusive.") var until: String?
    @Option(help: "Group by model, day and/or key, comma-separated.") var groupBy: String = "model"
    @Option(help: "Only this key's requests, by id (with the admin key).") var keyId: String?

    func run() throws {
        var query = "group_by=\(groupBy)"
        if let since { query += "&since=\(since)" }
        if let until { query += "&until=\(until)" }
        if let keyId { query += "&key=\(keyId)" }
        let (_, json, _) = try runClient { try DaemonClient.call(client, "GET", "/v1/usage?\(query)") }
        if client.json { DaemonClient.printJSON(json); return }
        let groups = groupBy.split(separator: ",").map(String.init)
        let data = json?["data"]?.arrayValue ?? []
        let columns = [
            "requests", "input_tokens", "output_tokens", "cache_read_tokens", "cache_write_tokens",
            "reasoning_tokens", "total_tokens",
        ]
        let header =
            groups.map { $0.uppercased() }
            + ["REQUESTS", "INPUT", "OUTPUT", "CACHE READ", "CACHE WRITE", "REASONING", "TOTAL", "COST USD"]
        print(
            renderTable(
                header,
                data.map { row in
                    groups.map { describe(row[$0]).isEmpty ? "-" : describe(row[$0]) }
                        + columns.map { describe(row[$0]) }
                        + [Self.cost(row)]
                }))
    }

    /// `$0.0123`; `+ 2 unpriced` when some requests' models have no price (their tokens are
    /// not in the sum).
    static func cost(_ row: JSONValue) -> String {
        let dollars = row["cost_usd"]?.doubleValue ?? 0
        let unpriced = row["unpriced_requests"]?.intValue ?? 0
        let text = "$" + String(format: "%.4f", dollars)
        return unpriced > 0 ? "\(text) + \(unpriced) unpriced" : text
    }
}

/// Prints a client error the way a person wants to read it, and exits 1.
func runClient<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("switchboard: \(error.description)\n".utf8))
        throw ExitCode(1)
    }
}
