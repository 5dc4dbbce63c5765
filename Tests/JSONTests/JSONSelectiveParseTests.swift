import Testing
@testable import JSON
import TestSupport

/// `parse(_:keeping:)` builds only the named top-level members; everything else is scanned
/// with the same grammar and dropped.
@Suite("Selective parse")
struct JSONSelectiveParseTests {
    static let filter = JSONKeyFilter(["choices", "usage", "error"])

    /// The full parse with the other top-level members removed.
    static func expected(_ text: String) throws -> JSONValue {
        let full = try JSONValue.parse(text)
        guard case .object(let object) = full else { return full }
        var kept = JSONObject()
        for entry in object.entries where ["choices", "usage", "error"].contains(entry.key) {
            kept[entry.key] = entry.value
        }
        return .object(kept)
    }

    @Test func keepsNamedMembersWhole() throws {
        let text = #"""
            {"id":"x","choices":[{"index":0,"delta":{"content":"hi",\#
            "id":"inner kept"}}],"created":1,"usage":null,"extra":{"deep":[1,{"a":"b"}]}}
            """#
        let value = try JSONValue.parse(text, keeping: Self.filter)
        #expect(value == (try Self.expected(text)))
        #expect(value["choices"]?[0]?["delta"]?["id"]?.stringValue == "inner kept")
        #expect(value["id"] == nil)
        #expect(value["usage"]?.isNull == true)
    }

    @Test func escapedKeysAndNonObjectsStillWork() throws {
        #expect(
            try JSONValue.parse(#"{"ch\u006fices":[1],"\u0069d":2}"#, keeping: Self.filter)["choices"] == .array([1]))
        #expect(try JSONValue.parse("[1,2]", keeping: Self.filter) == .array([1, 2]))
        #expect(try JSONValue.parse(#""s""#, keeping: Self.filter) == .string("s"))
    }

    @Test(arguments: [
        #"{"id":[1,}"#, "{\"id\":\"a\u{1}\"}", #"{"id":"bad \q escape"}"#, #"{"id":"unterminated}"#, #"{"id":01}"#,
        #"{"id":tru}"#,
        #"{"id":{"a" 1}}"#, #"{"id":1"#, #"{"id":1,}"#, #"{"id":1} x"#, #"{"id" 1}"#,
        // Lone surrogates (found by the json-selective fuzz target): the skipping scanner accepted them.
        #"{"id":"\ud41d\ude00"}"#, #"{"id":"\ude00"}"#, #"{"id":"\ud800x"}"#, #"{"id":"\ud800\u0041"}"#,
        #"{"id":"\u12G4"}"#,
    ])
    func malformedSkippedContentIsStillAnError(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text, keeping: Self.filter) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func deeplyNestedSkippedContentHitsTheDepthLimit() {
        let deep = #"{"id":"# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}"
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep, keeping: Self.filter) }
    }

    /// Every data line of every captured stream: the selective parse equals the full parse
    /// minus the members it was not asked for.
    @Test func agreesWithTheFullParseOnEveryCapturedChunk() throws {
        var checked = 0
        for path in FixtureFiles.list(extensions: [".sse"]) {
            let text = String(decoding: FixtureFiles.read(path) ?? [], as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("data:") {
                let data = String(line.dropFirst(5).drop { $0 == " " })
                guard (try? JSONValue.parse(data)) != nil else { continue }
                #expect(
                    try JSONValue.parse(data, keeping: Self.filter) == (try Self.expected(data)), "\(path): \(data)")
                checked += 1
            }
        }
        #expect(checked > 50)
    }
}
