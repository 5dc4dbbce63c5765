import Testing
@testable import Gateway

@Suite("Content-Type media type")
struct MediaTypeTests {
    @Test(arguments: [
        ("application/json", "application/json"),
        ("Application/JSON; charset=utf-8", "application/json"),
        (" application / json ;x=y", "application/json"),
        ("application/vnd.api+json", "application/vnd.api+json"),
        ("text/plain", "text/plain"),
        ("", ""),
    ])
    func normalises(value: String, expected: String) {
        #expect(mediaType(value) == expected)
    }
}
