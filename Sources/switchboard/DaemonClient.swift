import ArgumentParser
import Foundation
import JSON
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Options every client command shares: where the daemon is and which key to use.
struct ClientOptions: ParsableArguments {
    @Option(help: "Daemon URL (default $SWITCHBOARD_URL or http://127.0.0.1:8080).")
    var url: String?

    @Option(help: "API key, or the admin key for `keys` (default $SWITCHBOARD_API_KEY, then $SWITCHBOARD_ADMIN_KEY).")
    var key: String?

    @Flag(help: "Print the daemon's JSON instead of a table.")
    var json = false

    var baseURL: String {
        (url ?? ProcessInfo.processInfo.environment["SWITCHBOARD_URL"] ?? "http://127.0.0.1:8080")
            .trimmingCharacters(in: CharacterSet(charactersIn: "/"))
    }

    func resolvedKey(admin: Bool = false) -> String? {
        let env = ProcessInfo.processInfo.environment
        if let key { return key }
        return admin
            ? (env["SWITCHBOARD_ADMIN_KEY"] ?? env["SWITCHBOARD_API_KEY"])
            : (env["SWITCHBOARD_API_KEY"] ?? env["SWITCHBOARD_ADMIN_KEY"])
    }
}

/// A failure a person should read: daemon down, key refused, bad input.
struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// Blocking JSON calls to the daemon (control-plane commands; the streaming chat client has
/// its own delegate-based reader). JSON goes through the project's own module, as everywhere else.
enum DaemonClient {
    static func call(
        _ options: ClientOptions, _ method: String, _ path: String, body: JSONValue? = nil,
        admin: Bool = false
    ) throws -> (status: Int, json: JSONValue?, text: String) {
        guard let url = URL(string: options.baseURL + path) else {
            throw ClientError(description: "invalid --url \(options.baseURL)")
        }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        if let key = options.resolvedKey(admin: admin) {
            request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization")
        }
        if let body {
            request.httpBody = Data(body.serialized().utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: (Data?, URLResponse?, Error?) = (nil, nil, nil)
        URLSession.shared.dataTask(with: request) { data, response, error in
            result = (data, response, error)
            done.signal()
        }.resume()
        done.wait()
        if let error = result.2 {
            let reason = "cannot reach the daemon at \(options.baseURL): \(error.localizedDescription)"
            throw ClientError(description: reason + "\n(is `switchboard serve` running? set --url or SWITCHBOARD_URL)")
        }
        let status = (result.1 as? HTTPURLResponse)?.statusCode ?? 0
        let data = result.0 ?? Data()
        let json = try? JSONValue.parse(data)
        let text = String(decoding: data, as: UTF8.self)
        if status >= 400 {
            let message = json?["error"]?["message"]?.stringValue ?? text
            let hint = status == 401 ? " (pass --key or set SWITCHBOARD_API_KEY)" : ""
            throw ClientError(description: "daemon answered \(status): \(message)\(hint)")
        }
        return (status, json, text)
    }

    /// Indented, keys sorted: the same text for the same answer, whatever order the daemon wrote.
    static func printJSON(_ json: JSONValue?) {
        guard let json else { return }
        print(json.prettySerialized(sortedKeys: true))
    }
}

/// Left-aligned text table.
func renderTable(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows {
        for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
            .joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
    }
    let rule = widths.map { String(repeating: "-", count: $0) }
    return ([line(header), line(rule)] + rows.map(line)).joined(separator: "\n")
}

/// A table cell for a value of the daemon's JSON: "-" for absent or null, an empty list means
/// "all" (a key's models), numbers as the daemon wrote them.
func describe(_ value: JSONValue?) -> String {
    switch value {
    case nil, .null?: return "-"
    case .number(let literal)?: return literal
    case .string(let s)?: return s
    case .bool(let b)?: return b ? "true" : "false"
    case .array(let items)?: return items.isEmpty ? "all" : items.map { describe($0) }.joined(separator: ",")
    case .object(let object)?: return JSONValue.object(object).serialized()
    }
}
