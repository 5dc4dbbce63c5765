import Testing
import JSON

@Suite struct JSONValueTests {
    @Test func parsesStructureAndScalars() throws {
        let v = try JSONValue.parse(#" {"s":"hi","n":-1.5e3,"t":true,"f":false,"z":null,"a":[1,"x"],"o":{"k":"v"}} "#)
        #expect(v["s"] == .string("hi"))
        #expect(v["n"] == .number("-1.5e3"))
        #expect(v["t"] == .bool(true))
        #expect(v["f"] == .bool(false))
        #expect(v["z"] == .null)
        #expect(v["a"] == .array([.number("1"), .string("x")]))
        #expect(v["o"]?["k"] == .string("v"))
        #expect(v["missing"] == nil)
    }

    @Test func decodesEscapes() throws {
        let v = try JSONValue.parse(#""a\"b\\c\/d\b\f\n\r\t\u0041\u00e9\u4e2d\uD83D\uDE00\u0000z""#)
        #expect(v.stringValue == "a\"b\\c/d\u{8}\u{C}\n\r\tAé中😀\u{0}z")
        // Escapes at the very start and end, and adjacent escapes.
        #expect(try JSONValue.parse(#""\n""#).stringValue == "\n")
        #expect(try JSONValue.parse(#""\\\\""#).stringValue == "\\\\")
        #expect(try JSONValue.parse(#""x\"""#).stringValue == "x\"")
    }

    @Test func numbersKeepTheirLiteral() throws {
        for literal in ["0", "-0", "3", "0.25", "1e3", "1E+3", "-2.50", "12345678901234567890123", "1.0", "5e-324"] {
            let v = try JSONValue.parse(literal)
            #expect(v == .number(literal))
            #expect(v.serialized() == literal)
        }
        let doc = try JSONValue.parse(#"{"temperature":0.70,"big":100000000000000000001}"#)
        #expect(doc.serialized() == #"{"temperature":0.70,"big":100000000000000000001}"#)
    }

    @Test func keysKeepTheirOrder() throws {
        let text = #"{"z":1,"a":2,"m":3,"b":{"y":1,"x":2}}"#
        let v = try JSONValue.parse(text)
        #expect(v.objectValue?.keys == ["z", "a", "m", "b"])
        #expect(v["b"]?.objectValue?.keys == ["y", "x"])
        #expect(v.serialized() == text)
    }

    @Test func duplicateKeysKeepTheLastValueInTheFirstPosition() throws {
        let v = try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#)
        #expect(v.objectValue?.keys == ["a", "b"])
        #expect(v["a"] == .number("3"))
        #expect(v.serialized() == #"{"a":3,"b":2}"#)
    }

    @Test func duplicateKeysInLargeObjects() throws {
        // Past the parser's key-index threshold the same rule must hold.
        var parts = (0..<40).map { #""k\#($0)":\#($0)"# }
        parts.append(#""k3":"again""#)
        parts.append(#""k39":"last""#)
        parts.append(#""new":true"#)
        let v = try JSONValue.parse("{" + parts.joined(separator: ",") + "}")
        let object = try #require(v.objectValue)
        #expect(object.count == 41)
        #expect(object.keys.prefix(4) == ["k0", "k1", "k2", "k3"])
        #expect(object.keys.last == "new")
        #expect(object["k3"] == .string("again"))
        #expect(object["k39"] == .string("last"))
        #expect(object.entries[3].value == .string("again"))
    }

    @Test func roundTripsAreStable() throws {
        let docs = [
            #"{"a":[1,2,{"b":null}],"c":"\u0001\"x\"\n","d":{"e":[]},"f":-0.0e-1}"#,
            #"["é中😀","\\","\/",true,false,null,{}]"#,
            #"{"nested":{"deeper":{"deepest":[[[["x"]]]]}}}"#,
        ]
        for doc in docs {
            let first = try JSONValue.parse(doc)
            let text = first.serialized()
            let second = try JSONValue.parse(text)
            #expect(first == second)
            #expect(second.serialized() == text)
        }
    }

    @Test func parsesAnyContiguousOrNot() throws {
        let text = #"{"k":[1,2,3]}"#
        let expected = try JSONValue.parse(text)
        #expect(try JSONValue.parse(Array(text.utf8)) == expected)
        #expect(try JSONValue.parse(Array(("xx" + text).utf8)[2...]) == expected)
        #expect(try JSONValue.parse(text.utf8) == expected)
        #expect(try JSONValue.parse(Substring(text).utf8) == expected)
        // Not contiguous: goes through the copying path.
        #expect(try JSONValue.parse(text.utf8.lazy.map { $0 }) == expected)
        let offsetError = #expect(throws: JSONParseError.self) { try JSONValue.parse("[1,]".utf8.lazy.map { $0 }) }
        #expect(offsetError?.offset == 3)
        let fromRaw = try Array(text.utf8).withUnsafeBytes { raw in try JSONValue.parse(raw) }
        #expect(fromRaw == expected)
    }

    @Test func accessors() throws {
        let v = try JSONValue.parse(
            #"""
            {"s":"x","i":42,"neg":-7,"f":2.5,"e":1e2,"i2":2.0,"big":1e30,\#
            "huge":99999999999999999999,"b":true,"n":null,"a":[1,2]}
            """#)
        #expect(v["s"]?.stringValue == "x")
        #expect(v["s"]?.intValue == nil)
        #expect(v["i"]?.intValue == 42)
        #expect(v["neg"]?.intValue == -7)
        #expect(v["i"]?.doubleValue == 42)
        #expect(v["f"]?.doubleValue == 2.5)
        #expect(v["f"]?.intValue == nil)
        #expect(v["e"]?.intValue == 100)
        #expect(v["i2"]?.intValue == 2)
        #expect(v["big"]?.intValue == nil)
        #expect(v["huge"]?.intValue == nil)
        #expect(v["b"]?.boolValue == true)
        #expect(v["b"]?.stringValue == nil)
        #expect(v["n"]?.isNull == true)
        #expect(v["s"]?.isNull == false)
        #expect(v["a"]?.arrayValue?.count == 2)
        #expect(v["a"]?[1] == .number("2"))
        #expect(v["a"]?[2] == nil)
        #expect(v["a"]?[-1] == nil)
        #expect(v["a"]?["k"] == nil)
        #expect(v[0] == nil)
        #expect(v.objectValue?.count == 11)
        #expect(v["s"]?.objectValue == nil)
        #expect(v["s"]?.arrayValue == nil)
        #expect(v["s"]?.boolValue == nil)
        #expect(v["s"]?.doubleValue == nil)
    }

    @Test func literalConformances() {
        let v: JSONValue = [
            "z": "s", "a": 1, "m": 2.5, "t": true, "n": nil, "list": [1, "two", false], "o": ["k": "v"],
        ]
        #expect(v.objectValue?.keys == ["z", "a", "m", "t", "n", "list", "o"])
        #expect(v["z"] == .string("s"))
        #expect(v["a"] == .number("1"))
        #expect(v["m"] == .number("2.5"))
        #expect(v["t"] == .bool(true))
        #expect(v["n"] == .null)
        #expect(v["list"] == .array([.number("1"), .string("two"), .bool(false)]))
        #expect(v.serialized() == #"{"z":"s","a":1,"m":2.5,"t":true,"n":null,"list":[1,"two",false],"o":{"k":"v"}}"#)
        let negative: JSONValue = -3
        #expect(negative.intValue == -3)
    }

    @Test func intAndDoubleFactories() throws {
        #expect(JSONValue.int(0).serialized() == "0")
        #expect(JSONValue.int(Int.min).serialized() == "-9223372036854775808")
        #expect(JSONValue.int(Int.max).intValue == Int.max)
        for d in [
            0.1, -2.5, 1e300, Double.leastNonzeroMagnitude, 123456.789, -0.0, 3.0, 1e16, 1e-7,
            Double.greatestFiniteMagnitude,
        ] {
            let text = JSONValue.double(d).serialized()
            let back = try JSONValue.parse(text)
            #expect(back.doubleValue == d, "\(d) → \(text)")
        }
        let two = JSONValue.double(2.0).serialized()
        #expect(two == "2" || two == "2.0")
        #expect(JSONValue.double(.infinity) == .null)
        #expect(JSONValue.double(-.infinity) == .null)
        #expect(JSONValue.double(.nan) == .null)
        #expect(JSONValue.double(.nan).serialized() == "null")
    }

    @Test func descriptionIsCompactJSON() {
        let v: JSONValue = ["a": [1, 2]]
        #expect("\(v)" == #"{"a":[1,2]}"#)
    }
}
