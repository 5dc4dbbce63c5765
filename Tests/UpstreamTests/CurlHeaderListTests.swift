import HTTPTypes
import Testing
@testable import Upstream

@Suite("Header lists shared by transfers that send the same fields", .serialized)
struct CurlHeaderListTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func theSameFieldsShareOneListOfTheirLinesAndExpect() {
        let key = "Bearer sk-" + String(repeating: "k", count: 40)  // not a small string
        let fields: HTTPHeaders = [("Authorization", key), ("Content-Type", "application/json")]
        let first = CurlHeaderList.shared(for: fields)
        // Made anew, as an adapter makes them for every request: other storage, the same bytes.
        let again: HTTPHeaders = [
            ("Authorization", "Bearer sk-" + String(repeating: "k", count: 40)),
            ("Content-Type", "application/json"),
        ]
        #expect(CurlHeaderList.shared(for: again) === first)
        #expect(
            first.lines == [bytes("Authorization: \(key)"), bytes("Content-Type: application/json"), bytes("Expect:")])
    }

    @Test func fieldsThatDifferInAnyByteGetTheirOwnList() {
        let base: HTTPHeaders = [("x-sb-test", "one"), ("Accept", "application/json")]
        let list = CurlHeaderList.shared(for: base)
        let variants: [HTTPHeaders] = [
            [("x-sb-test", "two"), ("Accept", "application/json")],
            [("X-SB-TEST", "one"), ("Accept", "application/json")],  // the name's case goes out as given
            [("x-sb-test", "one")],
            [("x-sb-test", "one"), ("Accept", "application/json"), ("x-more", "1")],
            // Canonically equivalent, so equal as Strings, but other bytes on the wire.
            [("x-sb-test", "caf\u{E9}"), ("Accept", "application/json")],
        ]
        let nfd = CurlHeaderList.shared(for: [("x-sb-test", "cafe\u{301}"), ("Accept", "application/json")])
        for variant in variants {
            let other = CurlHeaderList.shared(for: variant)
            #expect(other !== list, "\(variant.fields)")
            #expect(other.lines.first == bytes("\(variant[0].name): \(variant[0].value)"))
        }
        #expect(CurlHeaderList.shared(for: [("x-sb-test", "caf\u{E9}"), ("Accept", "application/json")]) !== nfd)
        #expect(nfd.lines.first == bytes("x-sb-test: cafe\u{301}"))
    }

    @Test func aTracedRequestsListIsItsOwnAndNotKept() {
        let fields: HTTPHeaders = [("Content-Type", "application/json"), ("traceparent", "00-abc-def-01")]
        let before = CurlHeaderList.keptCount
        let first = CurlHeaderList.shared(for: fields)
        #expect(CurlHeaderList.shared(for: fields) !== first)
        #expect(CurlHeaderList.keptCount == before)
        #expect(first.lines.last == bytes("Expect:"))
    }

    @Test func keptListsAreBoundedAndALiveOneOutlivesItsEviction() {
        let held = CurlHeaderList.shared(for: [("x-held", "1")])
        for i in 0..<(CurlHeaderList.capacity * 2) { _ = CurlHeaderList.shared(for: [("x-fill", "\(i)")]) }
        #expect(CurlHeaderList.keptCount == CurlHeaderList.capacity)
        // Evicted from the cache, still whole for the transfer that holds it.
        #expect(CurlHeaderList.shared(for: [("x-held", "1")]) !== held)
        #expect(held.lines == [bytes("x-held: 1"), bytes("Expect:")])
    }
}
