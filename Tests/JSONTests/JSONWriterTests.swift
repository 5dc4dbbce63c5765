import Testing
import JSON

@Suite struct JSONWriterTests {
    private func quoted(_ s: String) -> String {
        var out: [UInt8] = []
        appendJSONString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func escapesWhatJSONRequires() {
        #expect(quoted("") == #""""#)
        #expect(quoted("plain") == #""plain""#)
        #expect(quoted("a\"b") == #""a\"b""#)
        #expect(quoted("back\\slash") == #""back\\slash""#)
        #expect(quoted("\n\r\t\u{8}\u{C}") == #""\n\r\t\b\f""#)
        #expect(quoted("\u{0}\u{1}\u{1F}") == #""\u0000\u0001\u001f""#)
        #expect(quoted("/") == #""/""#)
        #expect(quoted("\u{7F}") == "\"\u{7F}\"")
        #expect(quoted("\"") == #""\"""#)
        #expect(quoted("\"\"x\\") == #""\"\"x\\""#)
    }

    @Test func writesNonASCIIAsIs() {
        let s = "héllo 中文 😀 \u{2028}"
        var out: [UInt8] = []
        appendJSONString(s, to: &out)
        #expect(out == [0x22] + Array(s.utf8) + [0x22])
    }

    @Test func appendsToExistingBuffer() {
        var out = Array("prefix:".utf8)
        appendJSONString("x\ny", to: &out)
        JSONValue.bool(true).write(into: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"prefix:"x\ny"true"#)
    }

    @Test(arguments: 0..<0x20)
    func everyControlCharacterRoundTrips(_ code: Int) throws {
        let s = "a" + String(Character(Unicode.Scalar(UInt8(code)))) + "b"
        let text = quoted(s)
        #expect(!text.utf8.contains { $0 < 0x20 })
        #expect(try JSONValue.parse(text).stringValue == s)
    }

    @Test func longStringsWithScatteredEscapesRoundTrip() throws {
        var s = ""
        for i in 0..<2000 {
            s += i % 97 == 0 ? "\"" : i % 89 == 0 ? "\n" : i % 13 == 0 ? "é" : "x"
        }
        #expect(try JSONValue.parse(quoted(s)).stringValue == s)
    }

    @Test func compactSerialization() throws {
        let v = try JSONValue.parse(" { \"a\" : [ 1 , { \"b\" : null } ] , \"c\" : \"\" } ")
        #expect(v.serialized() == #"{"a":[1,{"b":null}],"c":""}"#)
        #expect(JSONValue.array([]).serialized() == "[]")
        #expect(JSONValue.object(JSONObject()).serialized() == "{}")
        #expect(JSONValue.null.serialized() == "null")
        #expect(JSONValue.bool(false).serialized() == "false")
    }

    /// Whole numbers are written as `String(n)` spells them: every digit count, both signs,
    /// both ends of `Int`, after what is already in the buffer.
    @Test func integersAreWrittenAsTheirDecimalText() {
        var values = [0, 1, 9, 10, 11, 99, 100, Int.max, Int.min, Int.max - 1, Int.min + 1, -1, -9, -10]
        var power = 1
        for _ in 0..<18 {
            power *= 10
            values += [power - 1, power, power + 1, -(power - 1), -power, -(power + 1)]
        }
        for value in values {
            var out = Array("x".utf8)
            appendJSONInteger(value, to: &out)
            #expect(String(decoding: out, as: UTF8.self) == "x" + String(value))
        }
        var out: [UInt8] = []
        appendJSONLiteral(#"{"a":"#, to: &out)
        appendJSONLiteral("null", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #"{"a":null"#)
    }
}
