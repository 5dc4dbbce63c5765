import Testing
@testable import HTTPTypes

@Suite("Header names")
struct HTTPHeadersTests {
    @Test(arguments: [
        ("Content-Type", "content-type", true),
        ("CONTENT-TYPE", "content-type", true),
        ("content-typf", "content-type", false),
        ("content-type ", "content-type", false),
        ("x-api-key", "x-api-kez", false),
        ("Ä", "ä", false),  // only ASCII letters fold
        ("[", "{", false),  // 0x5B and 0x7B differ by 32 but are not letters
        ("", "", true),
        // Longer than a small string: compared from the strings' own storage.
        ("X-RateLimit-Remaining-Requests", "x-ratelimit-remaining-requests", true),
        ("x-ratelimit-remaining-requests", "x-ratelimit-remaining-requestz", false),
        ("Anthropic-Version-Extra-Long-Name", "anthropic-version-extra-long-namE", true),
    ])
    func namesCompareWithoutASCIICase(a: String, b: String, equal: Bool) {
        #expect(a.equalsIgnoringASCIICase(b) == equal)
    }

    @Test func lookupsIgnoreCaseAndKeepOrder() {
        var headers = HTTPHeaders([("X-One", "1"), ("x-one", "2"), ("Accept", "*/*")])
        #expect(headers["x-ONE"] == "1")
        #expect(headers.values("X-one") == ["1", "2"])
        headers.set("X-ONE", "3")
        #expect(headers.values("x-one") == ["3"])
        #expect(headers["missing"] == nil)
        // Fields of the name's length that differ, and longer or shorter ones, are passed over.
        let mixed = HTTPHeaders([("X-Two", "2"), ("X-On", "short"), ("X-Ones", "long"), ("x-ONE", "1"), ("É", "e")])
        #expect(mixed["X-one"] == "1" && mixed["é"] == nil && mixed["É"] == "e" && mixed["x-on"] == "short")
    }

    @Test func fieldsKeepTheirOrderAndCaseThroughEdits() {
        var headers: HTTPHeaders = [("Retry-After", "1")]
        headers.append(contentsOf: [("x-ratelimit-remaining-requests", "0"), ("X-Other", "a")])
        headers[2].value = "b"
        #expect(headers.map(\.name) == ["Retry-After", "x-ratelimit-remaining-requests", "X-Other"])
        #expect(headers.first == HTTPField("Retry-After", "1"))
        #expect(headers["x-other"] == "b")
        let expected: HTTPHeaders = [("Retry-After", "1"), ("x-ratelimit-remaining-requests", "0"), ("X-Other", "b")]
        #expect(headers == expected)
    }
}
