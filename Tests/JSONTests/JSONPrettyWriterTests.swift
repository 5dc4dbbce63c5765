import Testing
import JSON

@Suite struct JSONPrettyWriterTests {
    @Test func indentsNestedContainersAndSortsKeys() throws {
        let text = #"{"object":"list","data":[{"id":"b/1","n":3,"ok":true},{"z":null,"a":[]}],"e":{}}"#
        let value = try JSONValue.parse(text)
        #expect(
            value.prettySerialized() == """
                {
                  "data" : [
                    {
                      "id" : "b/1",
                      "n" : 3,
                      "ok" : true
                    },
                    {
                      "a" : [],
                      "z" : null
                    }
                  ],
                  "e" : {},
                  "object" : "list"
                }
                """)
    }

    @Test func keepsInsertionOrderWhenNotSorting() {
        let value: JSONValue = ["b": 1, "a": ["x", 2.5]]
        #expect(
            value.prettySerialized(sortedKeys: false) == """
                {
                  "b" : 1,
                  "a" : [
                    "x",
                    2.5
                  ]
                }
                """)
    }

    @Test func sortsKeysAtEveryDepth() {
        let value: JSONValue = ["outer": ["c": 1, "B": 2, "a": 3]]
        let lines = value.prettySerialized().split(separator: "\n").map { $0.drop { $0 == " " } }
        #expect(lines.map(String.init) == ["{", "\"outer\" : {", "\"B\" : 2,", "\"a\" : 3,", "\"c\" : 1", "}", "}"])
    }

    @Test func scalarsAndEmptyContainersAreOneLine() {
        #expect(JSONValue.null.prettySerialized() == "null")
        #expect(JSONValue.number("1e3").prettySerialized() == "1e3")
        #expect(JSONValue.string("a\"b\n").prettySerialized() == #""a\"b\n""#)
        #expect(JSONValue.array([]).prettySerialized() == "[]")
        #expect(JSONValue.object(JSONObject()).prettySerialized() == "{}")
    }

    @Test func roundTripsThroughTheParser() throws {
        let text = #"{"k":["é",{"x":[[],[1,[2]]]}],"s":"\u0001\\","n":-0.5e-3}"#
        let value = try JSONValue.parse(text)
        #expect(try JSONValue.parse(value.prettySerialized()) == value)
        #expect(try JSONValue.parse(value.prettySerialized(sortedKeys: false)).serialized() == value.serialized())
    }
}
