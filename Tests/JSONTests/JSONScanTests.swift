import Testing

@testable import JSON

/// The building parser's string scan (eight bytes a step, the strict UTF-8 check only for a
/// string with a non-ASCII byte) and the reader's numbers read without their literal: both
/// give what the byte-by-byte rules give, wherever the interesting byte falls.
@Suite("JSON string scan and numbers in place")
struct JSONScanTests {
    /// Byte sequences that are not UTF-8: a stray byte, an overlong, a surrogate, a lead byte
    /// without its continuation, a sequence cut short.
    static let invalid: [[UInt8]] = [[0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xE9], [0xF0, 0x90, 0x80], [0x80]]

    /// Every offset within and across the scan's eight-byte steps, as a value and as a key,
    /// with ASCII on both sides (the case where the strict check is skipped when nothing is
    /// seen): an invalid sequence is refused, a valid one is kept as it came.
    @Test func nonASCIIIsCheckedWhereverItFallsInAString() throws {
        let a = UInt8(ascii: "a"), b = UInt8(ascii: "b")
        for length in 0..<20 {
            for position in 0...length {
                let before = [UInt8](repeating: a, count: position)
                let after = [UInt8](repeating: b, count: length - position)
                for bad in Self.invalid {
                    let text = before + bad + after
                    let value = Array(#"{"k":""#.utf8) + text + Array(#""}"#.utf8)
                    let key = Array(#"{""#.utf8) + text + Array(#"":1}"#.utf8)
                    #expect(throws: JSONParseError.self) { try JSONValue.parse(value) }
                    #expect(throws: JSONParseError.self) { try JSONValue.parse(key) }
                    #expect(throws: JSONParseError.self) {
                        try JSONValue.parse(Array("[\"".utf8) + text + [0x22, 0x5D])
                    }
                }
                for good in ["\u{e9}", "\u{4e2d}", "\u{1F600}", "\u{7f}"] {
                    let text = String(decoding: before, as: UTF8.self) + good + String(decoding: after, as: UTF8.self)
                    #expect(try JSONValue.parse(#"{"k":""# + text + #""}"#) == ["k": .string(text)])
                    #expect(try JSONValue.parse(#"{""# + text + #"":1}"#) == .object(JSONObject([(text, 1)])))
                }
            }
        }
    }

    /// An escape after a non-ASCII byte, and a non-ASCII byte after an escape, at every offset.
    @Test func escapesAndNonASCIITogether() throws {
        for length in 0..<18 {
            let run = String(repeating: "x", count: length)
            let quote = "\""
            #expect(try JSONValue.parse(quote + run + #"é\n"# + run + quote) == .string(run + "é\n" + run))
            #expect(try JSONValue.parse(quote + run + #"\té"# + run + quote) == .string(run + "\té" + run))
            #expect(throws: JSONParseError.self) {
                try JSONValue.parse(Array(#""\n"#.utf8) + Array(run.utf8) + [0xFF, 0x22])
            }
        }
    }

    static let numbers = [
        "0", "-0", "7", "-12", "10", "123456789012345678", "-123456789012345678", "999999999999999999",
        "1234567890123456789", "-9223372036854775808", "9223372036854775807", "9223372036854775808",
        "99999999999999999999999", "1.5", "2.0", "-0.0", "1e3", "-1E+2", "1e-2", "1e300", "0.999",
    ]

    /// A number read in place gives the tree's count and whole value, and the reader moves on.
    @Test(arguments: numbers)
    func aNumberReadInPlaceCountsAsTheTreesLiteral(literal: String) throws {
        var read: [JSONNumber?] = []
        try JSONReader.read(#"{"n":"# + literal + #","after":"# + literal + "}") { (reader) throws(JSONParseError) in
            _ = try reader.object { (_, value) throws(JSONParseError) in read.append(try value.number()) }
        }
        #expect(read.count == 2)
        let tree = JSONValue.number(literal)
        #expect(read[0]?.intValue == tree.intValue)
        #expect(read[0] == read[1])
        if case .whole(let n)? = read[0] {
            #expect(Int(literal) == n)
        } else {
            #expect(read[0] == .literal(literal))
        }
    }

    @Test func valuesThatAreNotNumbersReadAsNothing() throws {
        var read: [String] = []
        let document = #"{"a":"5","b":null,"c":[1],"d":{"e":2},"f":true,"g":-3}"#
        try JSONReader.read(document) { (reader) throws(JSONParseError) in
            _ = try reader.object { (key, value) throws(JSONParseError) in
                read.append("\(key.text):\(try value.number().map { "\($0)" } ?? "nil")")
            }
        }
        #expect(read == ["a:nil", "b:nil", "c:nil", "d:nil", "f:nil", "g:whole(-3)"])
        for broken in [#"{"n":-}"#, #"{"n":01}"#, #"{"n":1.}"#, #"{"n":1e}"#, #"{"n":-x}"#] {
            #expect(throws: JSONParseError.self) {
                try JSONReader.read(broken) { (reader) throws(JSONParseError) in
                    _ = try reader.object { (_, value) throws(JSONParseError) in _ = try value.number() }
                }
            }
        }
    }
}
