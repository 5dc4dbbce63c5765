import Testing
import JSON

@Suite struct JSONObjectTests {
    @Test func subscriptSetAppendsReplacesInPlaceAndRemoves() {
        var o = JSONObject()
        #expect(o.isEmpty)
        o["b"] = 1
        o["a"] = 2
        o["c"] = 3
        #expect(o.keys == ["b", "a", "c"])
        o["a"] = "replaced"
        #expect(o.keys == ["b", "a", "c"])
        #expect(o["a"] == .string("replaced"))
        o["b"] = nil
        #expect(o.keys == ["a", "c"])
        #expect(o.count == 2)
        o["missing"] = nil
        #expect(o.count == 2)
        o["b"] = .null  // an explicit JSON null is a value, not a removal
        #expect(o.keys == ["a", "c", "b"])
        #expect(o["b"] == .null)
        #expect(o["zzz"] == nil)
    }

    @Test func initKeepsOrderAndLastDuplicate() {
        let o = JSONObject([("x", 1), ("y", 2), ("x", 3)])
        #expect(o.keys == ["x", "y"])
        #expect(o["x"] == .number("3"))
    }

    @Test func initWithManyKeysKeepsOrderAndLastDuplicate() {
        // Past 16 entries the init checks for repeats by hashing: the same rule holds.
        let distinct = (0..<20).map { ("k\($0)", JSONValue.int($0)) }
        #expect(JSONObject(distinct).keys == distinct.map(\.0))
        let repeated = JSONObject(distinct + [("k3", "last"), ("extra", true)])
        #expect(repeated.keys == distinct.map(\.0) + ["extra"])
        #expect(repeated["k3"] == .string("last"))
        #expect(repeated.count == 21)
    }

    @Test func keysOfTheSameLengthAreToldApart() {
        let o = JSONObject([("ab", 1), ("ba", 2), ("abc", 3), ("ab", 4)])
        #expect(o.keys == ["ab", "ba", "abc"])
        #expect(o["ab"] == .number("4"))
        #expect(o["ba"] == .number("2"))
        #expect(o["a"] == nil)
        #expect(o["abcd"] == nil)
        // Long (not inline) strings too.
        let long = JSONObject([("completion_tokens_details", 1), ("completion_tokens_detailz", 2)])
        #expect(long["completion_tokens_details"] == .number("1"))
        #expect(long["completion_tokens_detailz"] == .number("2"))
    }

    @Test func equalityIgnoresOrderButNotContent() {
        let a = JSONObject([("x", 1), ("y", "s")])
        let b = JSONObject([("y", "s"), ("x", 1)])
        #expect(a == b)
        #expect(JSONValue.object(a) == JSONValue.object(b))
        #expect(a != JSONObject([("x", 1), ("y", "t")]))
        #expect(a != JSONObject([("x", 1)]))
        #expect(a != JSONObject([("x", 1), ("z", "s")]))
        #expect(JSONObject() == JSONObject())
        // Nested objects compare order-insensitively too.
        let n1: JSONValue = ["o": ["a": 1, "b": 2]]
        let n2: JSONValue = ["o": ["b": 2, "a": 1]]
        #expect(n1 == n2)
        // Arrays do not.
        #expect(JSONValue.array([1, 2]) != JSONValue.array([2, 1]))
    }

    @Test func iteratesInOrder() {
        let o = JSONObject([("one", 1), ("two", 2), ("three", 3)])
        var seen: [String] = []
        for (key, value) in o {
            seen.append(key)
            #expect(value.intValue != nil)
        }
        #expect(seen == ["one", "two", "three"])
    }

    @Test func entriesAreMutable() {
        var o = JSONObject([("k", 1)])
        o.entries.append((key: "j", value: 2))
        o.entries[0].value = "v"
        #expect(JSONValue.object(o).serialized() == #"{"k":"v","j":2}"#)
    }
}
