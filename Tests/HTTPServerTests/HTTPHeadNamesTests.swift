import HTTPTypes
import Testing
@testable import HTTPServer

/// Header names and methods given as literals (issue 13) are byte for byte what was sent; any
/// other spelling is decoded, not folded into a usual one.
@Suite("Head interpreter: literal names")
struct HTTPHeadNamesTests {
    static let usual = [
        "Host", "host", "Accept", "accept", "x-api-key", "User-Agent", "user-agent", "Connection", "connection",
        "Content-Type", "content-type", "Authorization", "authorization", "Content-Length", "content-length",
        "Accept-Encoding", "accept-encoding", "anthropic-version",
    ]

    static func literal(_ text: String, _ pick: (UnsafeBufferPointer<UInt8>) -> String?) -> String? {
        Array(text.utf8).withUnsafeBufferPointer { pick($0) }
    }

    @Test func usualSpellingsAreTheirOwnBytes() {
        for name in Self.usual {
            let got = Self.literal(name, HTTPHeadInterpreter.commonName)
            #expect(got.map { Array($0.utf8) } == Array(name.utf8), "\(name)")
        }
        #expect(Self.literal("POST", HTTPHeadInterpreter.commonMethod) == "POST")
        #expect(Self.literal("GET", HTTPHeadInterpreter.commonMethod) == "GET")
    }

    @Test func otherSpellingsAreLeftToBeDecoded() {
        for name in [
            "HOST", "Hosts", "hosT", "CONTENT-TYPE", "Content-type", "X-Api-Key", "x", "", "Transfer-Encoding",
        ] {
            #expect(Self.literal(name, HTTPHeadInterpreter.commonName) == nil, "\(name)")
        }
        for method in ["post", "Post", "PUT", "GETS", "GE", ""] {
            #expect(Self.literal(method, HTTPHeadInterpreter.commonMethod) == nil, "\(method)")
        }
    }

    @Test func aHeadKeepsTheNamesAsSent() {
        let text = "post /a HTTP/1.1\r\nHOST: x\r\nContent-Type: a\r\ncontent-LENGTH: 2\r\nUser-Agent: u"
        guard case .head(let head, _) = HTTPHeadInterpreter.interpret(Array(text.utf8)[...], maxBodyBytes: 100) else {
            Issue.record("refused")
            return
        }
        #expect(head.method == "post")
        #expect(head.headers.fields.map(\.name) == ["HOST", "Content-Type", "content-LENGTH", "User-Agent"])
    }
}
