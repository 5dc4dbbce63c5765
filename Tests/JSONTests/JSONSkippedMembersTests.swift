import Testing

@testable import JSON

/// `JSONReader.object(skipping:before:_:)`: an object's unwanted leading and trailing members
/// remembered as bytes and not scanned again when the next document has them. Held to the plain
/// `object(_:)` with a visitor that ignores the same keys, document by document, over a
/// sequence that hits, misses and half-matches the remembered bytes.
@Suite("Objects read past remembered members")
struct JSONSkippedMembersTests {
    static let wanted = JSONKeyFilter(["choices", "usage", "error"])
    static let wantedKeys: Set<String> = ["choices", "usage", "error"]

    /// The wanted members visited, in order, or nil when the document is refused.
    static func plain(_ text: String) -> [String]? {
        var seen: [String] = []
        do {
            try JSONReader.read(text) { (reader) throws(JSONParseError) in
                let isObject = try reader.object { (key, value) throws(JSONParseError) in
                    guard wantedKeys.contains(key.text) else { return }
                    seen.append("\(key.text)=\(try value.value().serialized())")
                }
                if !isObject { seen.append("not an object") }
            }
        } catch {
            return nil
        }
        return seen
    }

    static func resumed(_ text: String, _ prefix: inout JSONSkippedMembers) -> [String]? {
        var seen: [String] = []
        var refused = false
        var bytes = Array(text.utf8)
        bytes.append(0)  // a byte past the document: a read must not look at it
        let raw = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { raw.deallocate() }
        raw.copyBytes(from: bytes)
        do {
            try JSONReader.read(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 1)])) {
                (reader) throws(JSONParseError) in
                let isObject = try reader.object(skipping: &prefix, before: wanted) {
                    (key, value) throws(JSONParseError) in
                    guard wantedKeys.contains(key.text) else { return }
                    seen.append("\(key.text)=\(try value.value().serialized())")
                }
                if !isObject { seen.append("not an object") }
            }
        } catch {
            refused = true
        }
        return refused ? nil : seen
    }

    static let documents = [
        #"{"id":"a","object":"x","created":1,"choices":[1]}"#,
        #"{"id":"a","object":"x","created":1,"choices":[2],"usage":{"n":1}}"#,
        #"{"id":"a","object":"x","created":1,"choices":[3],"id":"b","choices":[4]}"#,
        #"{"id":"a","object":"x","created":1,"#,
        #"{"id":"a","object":"x","created":1,}"#,
        #"{"id":"a","object":"x","created":1,"choices"}"#,
        #"{"id":"a","object":"x","created":12,"choices":[5]}"#,
        #"{"id":"a","object":"x","created":1,"choices":[6]}"#,
        #"{"id":"a","object":"x","created":1,"ch\u006fices":[7]}"#,
        #"{"id":"a","object":"x","created":1}"#,
        #"{"id":"a","object":"x","created":1,"choices":[8]} x"#,
        #" { "id" : "a\u00e9" , "usage" : null , "choices" : [9] } "#,
        #" { "id" : "a\u00e9" , "usage" : null , "choices" : [10] } "#,
        #"{"choices":[11]}"#, "{}", "{ }", #"{  "choices":[11]}"#, "[1]", #""s""#, "",
        #"{"id":"a","object":"x","created":1,   "choices":[13]}"#, #"{"id":"a","object":"x","created":1,}"#,
        #"{"id":"a","object":"x","created":1,"choices":[12]}"#,
        #"{"id":{"deep":[{"x":"}"}]},"error":{"message":"m"}}"#,
        #"{"id":{"deep":[{"x":"}"}]},"error":null}"#,
        #"{"id":{"deep":[{"x":"}"}]},"#,
        #"{"id":"é","choices":[]}"#, #"{"id":"é","choices":[],"error":1}"#,
        #"{"choices":[1],"id":"a","model":"m"}"#, #"{"choices":[2],"id":"a","model":"m"}"#,
        #"{"choices":[3],"id":"a","model":"n"}"#, #"{"choices":[4],"usage":1,"id":"a","model":"n"}"#,
        #"{"choices":[5],"id":"a","model":"n"} "#, #"{"choices":[6],"id":"a","model":"n"}}"#,
        #"{"choices":[7],"id":"a","model":"n""#, #"{"choices":[8] ,"id":"a","model":"n"}"#,
        #"{"choices":[9] ,"id":"a","model":"n","choices":[10]}"#, #"{"choices":[11] ,"id":"a","model":"n"}"#,
        #"{"choices":[12],"\u0069d":"a"}"#, #"{"choices":[13],"\u0069d":"a"}"#,
        #"{"id":"a","object":"x","created":1,"choices":[14],"id":"a","model":"n"}"#,
        #"{"id":"a","object":"x","created":1,"choices":[15],"id":"a","model":"n"}"#,
        #"{"id":"a","object":"x","created":1,"error":null,"usage":2 ,"id":"a","model":"n"}"#,
        #"{"choices":[16],"usage":3,"id":"a"}"#, #"{"choices":[17],"usage":3,"id":"a"}"#,
    ]

    @Test func resumingReadsWhatThePlainObjectReads() {
        var prefix = JSONSkippedMembers()
        for text in Self.documents {
            #expect(Self.resumed(text, &prefix) == Self.plain(text), "\(text)")
        }
    }

    @Test func thePrefixIsTheBraceAndTheUnwantedMembersWithTheirCommas() {
        var prefix = JSONSkippedMembers()
        _ = Self.resumed(#"{"id":"a", "created":1 ,"choices":[1]}"#, &prefix)
        #expect(prefix.prefix == Array(#"{"id":"a", "created":1 ,"#.utf8))
        #expect(prefix.prefixDepth == 1)
        // A document that is the prefix and nothing after it is refused, not read past its end.
        #expect(Self.resumed(#"{"id":"a", "created":1 ,"#, &prefix) == nil)
        // More whitespace after the remembered comma is still whitespace before the next key.
        #expect(Self.resumed(#"{"id":"a", "created":1 ,  "usage":2}"#, &prefix) == ["usage=2"])
        // An object whose first member is wanted leaves nothing to remember.
        _ = Self.resumed(#"{ "choices":[1]}"#, &prefix)
        #expect(prefix.prefix == Array(#"{"id":"a", "created":1 ,"#.utf8))
        // Nothing wanted at all: nothing to remember, and what was remembered stays.
        _ = Self.resumed(#"{"id":"b"}"#, &prefix)
        #expect(prefix.prefix == Array(#"{"id":"a", "created":1 ,"#.utf8))
    }

    @Test func theSuffixRunsFromTheLastWantedValueToTheClosingBrace() {
        var skipped = JSONSkippedMembers()
        #expect(Self.resumed(#"{"choices":[1], "id":"a","model":"m" }"#, &skipped) == ["choices=[1]"])
        #expect(skipped.suffix == Array(#", "id":"a","model":"m" }"#.utf8))
        #expect(skipped.suffixDepth == 1)
        // Read past: the same wanted members, and the bytes after the suffix still checked.
        #expect(
            Self.resumed(#"{"usage":2,"choices":[3], "id":"a","model":"m" }"#, &skipped) == ["usage=2", "choices=[3]"])
        #expect(Self.resumed(#"{"choices":[4], "id":"a","model":"m" },"#, &skipped) == nil)
        // A wanted member last: nothing after it to remember, and what was remembered stays.
        _ = Self.resumed(#"{"id":"b","choices":[5]}"#, &skipped)
        #expect(skipped.suffix == Array(#", "id":"a","model":"m" }"#.utf8))
    }

    /// The remembered bytes are those of an object entered at the same depth: a nested object
    /// that starts alike is scanned, not resumed at the top level's depth.
    @Test func anObjectAtAnotherDepthIsScannedAgain() {
        var prefix = JSONSkippedMembers()
        _ = Self.resumed(#"{"id":"a","choices":[1]}"#, &prefix)
        var seen: [String] = []
        try? JSONReader.read(#"[{"id":"a","choices":[2]}]"#) { (reader) throws(JSONParseError) in
            _ = try reader.array { (_, element) throws(JSONParseError) in
                _ = try element.object(skipping: &prefix, before: Self.wanted) { (key, value) throws(JSONParseError) in
                    seen.append("\(key.text)=\(try value.value().serialized())")
                }
            }
        }
        #expect(seen == ["choices=[2]"])
        #expect(prefix.prefixDepth == 2)
        #expect(prefix.prefix == Array(#"{"id":"a","#.utf8))
    }
}
