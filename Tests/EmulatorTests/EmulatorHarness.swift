import Emulator
import Foundation
import HTTPServer
import JSON
import Logging
import Reactor
import SSE
import TestSupport

/// A real emulator on an ephemeral port, spoken to with the `curl` binary.
final class EmulatorHarness: @unchecked Sendable {
    /// The captures copied into the repository (`Tests/Fixtures`), or `$SWITCHBOARD_FIXTURES`.
    static let fixtures: String = {
        if let path = ProcessInfo.processInfo.environment["SWITCHBOARD_FIXTURES"] { return path }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures").path
    }()

    let group: EventLoopGroup
    let server: HTTPServer
    let emulator: ProviderEmulator
    let port: Int

    init(logCapacity: Int = 2000, fixtures: String? = EmulatorHarness.fixtures) throws {
        group = try EventLoopGroup(count: 1)
        group.start()
        emulator = ProviderEmulator(
            fixturesDirectory: fixtures, logger: Logger(label: "emulator-test"), logCapacity: logCapacity)
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        configuration.loopCount = 1
        server = HTTPServer(
            configuration: configuration, group: group, handler: emulator.handler,
            logger: Logger(label: "emulator-test"))
        port = try server.start()
    }

    deinit {
        server.stopAccepting()
        server.closeAll()
        group.shutdown()
    }

    var base: String { "http://127.0.0.1:\(port)" }

    struct Response {
        var status: Int
        var headers: [String: String]  // lower-cased names
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: JSONValue? { try? JSONValue.parse(body) }

        /// SSE events, decoded by our WHATWG decoder.
        var events: [SSEEvent] {
            var decoder = SSEDecoder()
            var out: [SSEEvent] = []
            decoder.feed(body) { out.append($0) }
            return out
        }

        /// The `data` of each event parsed as JSON (non-JSON data such as `[DONE]` skipped).
        var eventJSON: [JSONValue] { events.compactMap { try? JSONValue.parse($0.data) } }
    }

    /// Runs curl; `maxTime` cuts the transfer (the client going away).
    func request(
        _ method: String, _ path: String, headers: [String: String] = [:], maxTime: Double = 20,
        body: String? = nil
    ) throws -> Response {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("emu-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let headerFile = dir.appendingPathComponent("h").path, bodyFile = dir.appendingPathComponent("b").path
        var arguments = [
            "-s", "-X", method, "-D", headerFile, "-o", bodyFile, "--max-time", String(maxTime), base + path,
        ]
        for (name, value) in headers { arguments += ["-H", "\(name): \(value)"] }
        if let body {
            let file = dir.appendingPathComponent("req").path
            try Data(body.utf8).write(to: URL(fileURLWithPath: file))
            arguments += ["--data-binary", "@" + file]
            if headers["Content-Type"] == nil { arguments += ["-H", "Content-Type: application/json"] }
        }
        let process = ChildProcess()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        let head = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
        var status = 0
        var fields: [String: String] = [:]
        for line in head.components(separatedBy: "\r\n") {
            if line.hasPrefix("HTTP/") {
                status = Int(line.split(separator: " ")[1]) ?? 0
            } else if let colon = line.firstIndex(of: ":") {
                fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                    in: .whitespaces)
            }
        }
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: bodyFile))).map { [UInt8]($0) } ?? []
        return Response(status: status, headers: fields, body: bytes)
    }

    func openAI(
        _ model: String, stream: Bool = true, extra: String = "", key: String? = "test-key",
        headers: [String: String] = [:], maxTime: Double = 20
    ) throws -> Response {
        var all = headers
        if let key { all["Authorization"] = "Bearer \(key)" }
        return try request(
            "POST", "/v1/chat/completions", headers: all, maxTime: maxTime,
            body: #"{"model":"\#(model)","messages":[{"role":"user","content":"hi"}],"stream":\#(stream)\#(extra)}"#)
    }

    func anthropic(
        _ model: String, stream: Bool = true, extra: String = "", key: String? = "test-key",
        version: Bool = true, headers: [String: String] = [:], maxTime: Double = 20
    ) throws -> Response {
        var all = headers
        if let key { all["x-api-key"] = key }
        if version { all["anthropic-version"] = "2023-06-01" }
        return try request(
            "POST", "/v1/messages", headers: all, maxTime: maxTime,
            body: #"""
                {"model":"\#(model)","max_tokens":100,"messages":[{"role":"user",\#
                "content":"hi"}],"stream":\#(stream)\#(extra)}
                """#)
    }

    func gemini(
        _ model: String, stream: Bool = true, sse: Bool = true, extra: String = "", key: String? = "test-key",
        headers: [String: String] = [:], maxTime: Double = 20
    ) throws -> Response {
        var all = headers
        if let key { all["x-goog-api-key"] = key }
        let action = stream ? "streamGenerateContent" + (sse ? "?alt=sse" : "") : "generateContent"
        let encoded = model.replacingOccurrences(of: "+", with: "%2B").replacingOccurrences(of: "=", with: "%3D")
        return try request(
            "POST", "/v1beta/models/\(encoded):\(action)", headers: all, maxTime: maxTime,
            body: #"{"contents":[{"role":"user","parts":[{"text":"hi"}]}]\#(extra)}"#)
    }

    func recorded(run: String? = nil, limit: Int? = nil) throws -> [JSONValue] {
        var query: [String] = []
        if let run { query.append("run=\(run)") }
        if let limit { query.append("limit=\(limit)") }
        let response = try request("GET", "/_mock/requests" + (query.isEmpty ? "" : "?" + query.joined(separator: "&")))
        return response.json?.arrayValue ?? []
    }

    static func fixture(_ provider: String, _ name: String) -> [UInt8] {
        [UInt8](FileManager.default.contents(atPath: "\(fixtures)/\(provider)/\(name)") ?? Data())
    }
}
