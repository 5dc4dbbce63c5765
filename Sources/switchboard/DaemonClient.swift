import ArgumentParser
import Foundation
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
        return admin ? (env["SWITCHBOARD_ADMIN_KEY"] ?? env["SWITCHBOARD_API_KEY"]) : (env["SWITCHBOARD_API_KEY"] ?? env["SWITCHBOARD_ADMIN_KEY"])
    }
}

/// A failure a person should read: daemon down, key refused, bad input.
struct ClientError: Error, CustomStringConvertible {
    let description: String
}

/// Blocking JSON calls to the daemon (control-plane commands; the streaming chat client has
/// its own delegate-based reader).
enum DaemonClient {
    static func call(_ options: ClientOptions, _ method: String, _ path: String, body: Any? = nil,
                     admin: Bool = false) throws -> (status: Int, json: Any?, text: String) {
        guard let url = URL(string: options.baseURL + path) else { throw ClientError(description: "invalid --url \(options.baseURL)") }
        var request = URLRequest(url: url, timeoutInterval: 30)
        request.httpMethod = method
        if let key = options.resolvedKey(admin: admin) { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
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
            throw ClientError(description: "cannot reach the daemon at \(options.baseURL): \(error.localizedDescription)\n(is `switchboard serve` running? set --url or SWITCHBOARD_URL)")
        }
        let status = (result.1 as? HTTPURLResponse)?.statusCode ?? 0
        let data = result.0 ?? Data()
        let json = try? JSONSerialization.jsonObject(with: data)
        let text = String(decoding: data, as: UTF8.self)
        if status >= 400 {
            let message = ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String ?? text
            let hint = status == 401 ? " (pass --key or set SWITCHBOARD_API_KEY)" : ""
            throw ClientError(description: "daemon answered \(status): \(message)\(hint)")
        }
        return (status, json, text)
    }

    static func printJSON(_ json: Any?) {
        guard let json, let data = try? JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys]) else { return }
        print(String(decoding: data, as: UTF8.self))
    }
}

/// Left-aligned text table.
func renderTable(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            .trimmingCharacters(in: .whitespaces)
    }
    return ([line(header), line(widths.map { String(repeating: "-", count: $0) })] + rows.map(line)).joined(separator: "\n")
}

func describe(_ value: Any?) -> String {
    switch value {
    case nil, is NSNull: return "-"
    case let n as NSNumber: return n.stringValue
    case let s as String: return s
    case let a as [Any]: return a.isEmpty ? "all" : a.map { describe($0) }.joined(separator: ",")
    default: return "\(value!)"
    }
}
