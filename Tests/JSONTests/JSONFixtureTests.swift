import Testing
import JSON
import TestSupport

/// Every real provider capture parses, and survives serialize → parse.
@Suite struct JSONFixtureTests {
    static let fixtures = FixtureFiles.root

    @Test func everyJSONFixtureParsesAndRoundTrips() throws {
        let files = FixtureFiles.list(extensions: [".json"])
        #expect(files.count >= 20)
        for path in files {
            let bytes = try #require(FixtureFiles.read(path), "\(path)")
            let value: JSONValue
            do {
                value = try JSONValue.parse(bytes)
            } catch {
                Issue.record("\(path): \(error)")
                continue
            }
            #expect(try JSONValue.parse(value.serialized()) == value, "\(path)")
        }
    }

    @Test func everyJSONLinesFixtureParses() throws {
        for path in FixtureFiles.list(extensions: [".jsonl"]) {
            let text = String(decoding: try #require(FixtureFiles.read(path)), as: UTF8.self)
            for line in text.split(separator: "\n") where !line.isEmpty {
                #expect(throws: Never.self, "\(path)") { try JSONValue.parse(Substring(line).utf8) }
            }
        }
    }

    @Test func sseDataPayloadsParse() throws {
        var count = 0
        for path in FixtureFiles.list(extensions: [".sse"]) {
            let text = String(decoding: try #require(FixtureFiles.read(path)), as: UTF8.self)
            for line in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            where line.hasPrefix("data: ") {
                let payload = line.dropFirst(6)
                if payload == "[DONE]" { continue }
                let value = try JSONValue.parse(Substring(payload).utf8)
                #expect(value.objectValue != nil, "\(path)")
                count += 1
            }
        }
        #expect(count > 50)
    }
}
