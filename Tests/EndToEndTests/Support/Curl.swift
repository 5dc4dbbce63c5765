import Foundation

/// A response as the real `curl` binary saw it.
struct CurlResponse {
    var status: Int
    var headers: [String: String]  // lower-cased names, last value wins
    var body: String
}

/// Calls the real curl. `-sS`, headers captured with `-D`, status with `-w`.
func curl(
    _ url: String, method: String? = nil, headers: [String: String] = [:], body: String? = nil,
    extra: [String] = [], timeout: Double = 30
) throws -> CurlResponse {
    let dir = TempDir()
    let headerFile = dir.path("headers")
    var args = [
        "-sS", "-N", "--max-time", String(Int(timeout)), "-D", headerFile, "-o", dir.path("body"),
        "-w", "%{http_code}",
    ]
    if let method { args += ["-X", method] }
    for (k, v) in headers { args += ["-H", "\(k): \(v)"] }
    if let body { args += ["--data-binary", "@" + dir.write("request", body)] }
    args += extra
    args.append(url)
    let result = try run("/usr/bin/curl", args, timeout: timeout + 5)
    guard let status = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw TestFailure.message("curl failed: \(result.stderr)")
    }
    var parsed: [String: String] = [:]
    let rawHeaders = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
    for line in rawHeaders.split(whereSeparator: { $0 == "\r\n" || $0 == "\n" }) {
        guard let colon = line.firstIndex(of: ":") else { continue }
        parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let body = (try? String(contentsOfFile: dir.path("body"), encoding: .utf8)) ?? ""
    return CurlResponse(status: status, headers: parsed, body: body)
}

/// The unified SSE stream split into (event, data) pairs.
func sseEvents(_ body: String) -> [(event: String, data: String)] {
    var events: [(String, String)] = []
    for block in body.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n") {
        var name = "message", data: [String] = []
        for line in block.split(separator: "\n") {
            if line.hasPrefix("event:") { name = line.dropFirst(6).trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("data:") { data.append(String(line.dropFirst(5).drop(while: { $0 == " " }))) }
        }
        if !data.isEmpty { events.append((name, data.joined(separator: "\n"))) }
    }
    return events
}

func jsonObject(_ text: String) -> [String: Any]? {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any]
}
