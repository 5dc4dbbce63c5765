import Testing
import TestSupport

@testable import JSON

/// `JSONReader` reads a document in place: whatever a visitor reads or leaves, the document
/// is accepted or refused exactly as by `JSONValue.parse`, and what it reads equals the tree's.
@Suite("JSON reader")
struct JSONReaderTests {
    /// The whole document rebuilt through the reader's visits (objects by `object`, arrays by
    /// `array`, strings by `string`, the rest by `value`).
    static func rebuild(_ text: String) throws(JSONParseError) -> JSONValue {
        var result = JSONValue.null
        try JSONReader.read(text) { (reader) throws(JSONParseError) in result = try rebuild(&reader) }
        return result
    }

    static func rebuild(_ reader: inout JSONReader) throws(JSONParseError) -> JSONValue {
        switch reader.current {
        case UInt8(ascii: "{"):
            var object = JSONObject()
            _ = try reader.object { (key, value) throws(JSONParseError) in object[key.text] = try rebuild(&value) }
            return .object(object)
        case UInt8(ascii: "["):
            var array: [JSONValue] = []
            _ = try reader.array { (position, element) throws(JSONParseError) in
                #expect(position == array.count)
                array.append(try rebuild(&element))
            }
            return .array(array)
        case UInt8(ascii: "\""):
            return .string(try reader.string() ?? "not a string")
        default:
            return try reader.value()
        }
    }

    /// Reads nothing: every value is scanned past.
    static func skipAll(_ text: String) throws(JSONParseError) {
        try JSONReader.read(text) { _ in }
    }

    /// The data of every captured stream event, and a few documents with every kind of value.
    static var documents: [String] {
        var all = [
            #"{"a":[1,-2.5e3,true,false,null,"x\n\u00e9\ud83d\ude00"],"b":{},"c":[],"d":{"e":{"f":[[]]}}}"#,
            #" [ {"a" : 1 } , "s" ] "#, "0", #""text""#, "null", #"{"dup":1,"other":2,"dup":3}"#,
        ]
        for path in FixtureFiles.list(extensions: [".sse"]) {
            let text = String(decoding: FixtureFiles.read(path) ?? [], as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("data:") {
                all.append(String(line.dropFirst(5).drop { $0 == " " }))
            }
        }
        return all
    }

    @Test func readsWhatTheFullParseBuildsOnEveryDocument() throws {
        var checked = 0
        for text in Self.documents {
            guard let full = try? JSONValue.parse(text) else { continue }
            #expect(try Self.rebuild(text) == full, "\(text)")
            #expect(throws: Never.self) { try Self.skipAll(text) }
            checked += 1
        }
        #expect(checked > 50)
    }

    @Test(arguments: [
        #"{"id":[1,}"#, "{\"id\":\"a\u{1}\"}", #"{"id":"bad \q escape"}"#, #"{"id":"unterminated}"#, #"{"id":01}"#,
        #"{"id":tru}"#, #"{"id":{"a" 1}}"#, #"{"id":1"#, #"{"id":1,}"#, #"{"id":1} x"#, #"{"id" 1}"#,
        #"{"id":"\ud41d\ude00"}"#, #"{"id":"\ude00"}"#, #"{"id":"\ud800x"}"#, #"{"\u12G4":1}"#, "", " ", "{", "[1,]",
        #"{"a":1 "b":2}"#, #"{1:2}"#,
    ])
    func refusesWhatTheFullParseRefuses(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
        #expect(throws: JSONParseError.self) { try Self.rebuild(text) }
        #expect(throws: JSONParseError.self) { try Self.skipAll(text) }
    }

    /// A quote, backslash or control character is found wherever it falls in a string (any
    /// offset, so a scan that takes several bytes a step is covered too), around non-ASCII
    /// bytes, whether the string is built or skipped.
    @Test func specialBytesAreFoundAtEveryPositionOfAString() throws {
        let filler: [Character] = ["a", "\u{e9}", " ", "~", "\u{7f}", "\u{1F600}"]
        for length in 0..<24 {
            let plain = (0..<length).map { String(filler[$0 % filler.count]) }
            #expect(try JSONValue.parse("\"" + plain.joined() + "\"") == .string(plain.joined()))
            #expect(throws: Never.self) { try Self.skipAll(#"{"s":"# + "\"" + plain.joined() + "\"}") }
            for position in 0..<length {
                var control = plain, escaped = plain
                control[position] = "\u{1f}"
                escaped[position] = "\\n"
                let bad = "\"" + control.joined() + "\""
                #expect(throws: JSONParseError.self) { try JSONValue.parse(bad) }
                #expect(throws: JSONParseError.self) { try Self.skipAll("[" + bad + "]") }
                var expected = plain
                expected[position] = "\n"
                let good = "\"" + escaped.joined() + "\""
                #expect(try JSONValue.parse(good) == .string(expected.joined()))
                #expect(
                    try Self.rebuild("[" + good + "," + good + "]")
                        == .array([.string(expected.joined()), .string(expected.joined())]))
                #expect(throws: JSONParseError.self) { try JSONValue.parse("\"" + plain.prefix(position).joined()) }
            }
        }
    }

    @Test func deepNestingHitsTheDepthLimitReadOrSkipped() {
        let deep = #"{"a":"# + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "}"
        #expect(throws: JSONParseError.self) { try Self.rebuild(deep) }
        #expect(throws: JSONParseError.self) { try Self.skipAll(deep) }
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(throws: Never.self) { try Self.rebuild(fine) }
    }

    /// `null` gives no value (not `.null`), every other value is built as `value()` builds it,
    /// and a broken `null` is refused as the full parse refuses it.
    @Test(arguments: ["null", "nul", "nulll", "n", "[null]", "0", "\"null\"", "{\"a\":null}", "true"])
    func valueUnlessNullBuildsAllButNull(_ text: String) throws {
        let whole = try? JSONValue.parse(text)
        var read: JSONValue??
        do {
            try JSONReader.read(text) { (reader) throws(JSONParseError) in read = .some(try reader.valueUnlessNull()) }
        } catch {
            read = nil
        }
        switch whole {
        case nil: #expect(read == nil, "refused by the parse, read by the reader: \(text)")
        case .null?: #expect(read == .some(.none))
        case let value?: #expect(read == .some(.some(value)))
        }
    }

    @Test func keysCompareUnescapedAndDuplicatesVisitInOrder() throws {
        var seen: [String] = []
        var text: String?
        try JSONReader.read(#"{"t\u0065xt":"a","text":"b","tex":"c","texts":"d"}"#) { (reader) throws(JSONParseError) in
            _ = try reader.object { (key, value) throws(JSONParseError) in
                seen.append(key.text)
                if key.equals("text") { text = try value.string() }
            }
        }
        #expect(seen == ["text", "text", "tex", "texts"])
        #expect(text == "b")
    }

    @Test func readersOfTheWrongKindGiveNothingAndMoveOn() throws {
        var results: [String] = []
        try JSONReader.read(#"{"a":1,"b":"x","c":[true],"d":{"e":2},"f":"content_block_delta","g":"c\u006fntent"}"#) {
            (reader) throws(JSONParseError) in
            _ = try reader.object { (key, value) throws(JSONParseError) in
                switch key.text {
                case "a": results.append("a:\(try value.string() == nil)")
                case "b": results.append("b:\(try value.bool() == nil)")
                case "c": results.append("c:\(try value.object { _, _ in })")
                case "d": results.append("d:\(try value.array { _, _ in })")
                case "f": results.append("f:\(try value.isString("content_block_delta"))")
                default: results.append("g:\(try value.isString("content"))")
                }
            }
        }
        #expect(results == ["a:true", "b:true", "c:false", "d:false", "f:true", "g:true"])
    }

    /// Skipped strings are scanned eight bytes a step: a quote, escape, control character or
    /// end of input at every offset within and across those steps is found where it is.
    @Test func skippedStringsFindEveryQuoteEscapeAndControlCharacter() throws {
        for n in 0..<20 {
            let a = String(repeating: "a", count: n), e = String(repeating: "é", count: n)
            let text = #"{"\#(a)":"\#(a)\"\#(e)\u00e9\#(a)\\","k":1}"#
            var kept: JSONValue?
            try JSONReader.read(text) { (reader) throws(JSONParseError) in
                _ = try reader.object { (key, value) throws(JSONParseError) in
                    if key.equals("k") { kept = try value.value() }
                }
            }
            #expect(kept == .number("1"), "n = \(n)")
            for (bad, offset) in [("\"\(a)\u{01}\(a)\"", n + 1), ("\"\(a)", n + 1), ("\"\(a)\\", n + 2)] {
                #expect(throws: JSONParseError.self, "n = \(n)") {
                    try JSONReader.read(bad) { (reader) throws(JSONParseError) in try reader.skip() }
                }
                do {
                    try JSONReader.read(bad) { (reader) throws(JSONParseError) in try reader.skip() }
                } catch {
                    #expect(error.offset == offset, "\(bad.debugDescription): \(error)")
                }
            }
        }
    }
}
