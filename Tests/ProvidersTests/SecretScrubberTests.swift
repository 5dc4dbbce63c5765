import ChatModel
import JSON
import Testing
@testable import Providers

/// SPEC §5: provider secrets never reach a client or a log. The one scrubber both use.
@Suite("Secret scrubber")
struct SecretScrubberTests {
    static let key = "sk-proj-TESTSECRET0123456789abcdefXYZ"
    static let r = SecretScrubber.replacement

    @Test(arguments: [
        ("Incorrect API key provided: KEY.", "Incorrect API key provided: R."),
        ("key 'KEY'.", "key 'R'."),
        (#"x-api-key: "KEY""#, #"x-api-key: "R""#),
        ("(KEY), [KEY]; <KEY>", "(R), [R]; <R>"),
        ("KEY", "R"),
        ("Bearer KEY\n", "Bearer R\n"),
        ("url?key=KEY&alt=sse", "url?key=R&alt=sse"),
        ("é KEY ü", "é R ü"),
    ])
    func aSecretGoesWhateverSurroundsIt(text: String, expected: String) {
        // Not key-shaped on purpose: only the registered secret can catch it.
        let secret = "plain-TESTSECRET-42"
        let scrubber = SecretScrubber(secrets: [secret])
        let input = text.replacingOccurrences(of: "KEY", with: secret)
        #expect(scrubber.scrub(input) == expected.replacingOccurrences(of: "R", with: Self.r))
    }

    @Test func textWithoutSecretsIsReturnedAsItIs() {
        let scrubber = SecretScrubber(secrets: ["plain-TESTSECRET-42"])
        for text in ["", "task-force ask-me sk-", "The server had an error. Sorry about that!", "AIza"] {
            #expect(scrubber.scrub(text) == text)
        }
    }

    @Test func urlEncodedFormsGoInUpperAndLowerCaseHex() {
        let secret = "abc/def+ghi=="
        let scrubber = SecretScrubber(secrets: [secret])
        #expect(
            scrubber.scrub("GET /v1beta/models?key=abc%2Fdef%2Bghi%3D%3D&alt=sse")
                == "GET /v1beta/models?key=\(Self.r)&alt=sse")
        #expect(scrubber.scrub("key=abc%2fdef%2bghi%3d%3d") == "key=\(Self.r)")
        #expect(scrubber.scrub("raw abc/def+ghi== too") == "raw \(Self.r) too")
    }

    @Test func jsonEscapedFormsGo() {
        let secret = #"quo"te\back/slash"#
        let scrubber = SecretScrubber(secrets: [secret])
        var body: [UInt8] = Array(#"{"error":{"message":"#.utf8)
        appendJSONString("bad key \(secret).", to: &body)
        body += Array("}}".utf8)
        let scrubbed = scrubber.scrub(body)
        let message = try? JSONValue.parse(scrubbed)["error"]?["message"]?.stringValue
        #expect(message == "bad key \(Self.r).")
        // Other writers escape the slash too.
        #expect(scrubber.scrub(#"{"m":"quo\"te\\back\/slash"}"#) == #"{"m":"\#(Self.r)"}"#)
    }

    @Test func severalSecretsAllGo() {
        let scrubber = SecretScrubber(secrets: ["openai-SECRET-1", "anthropic-SECRET-2", "admin-SECRET-3"])
        let text = "openai-SECRET-1 then anthropic-SECRET-2, admin-SECRET-3."
        #expect(scrubber.scrub(text) == "\(Self.r) then \(Self.r), \(Self.r).")
    }

    @Test func overlappingSecretsLeaveNoTail() {
        // One secret's end is another's start: blanking the first must not leave the second's tail.
        let scrubber = SecretScrubber(secrets: ["abcdXYZW", "XYZW1234"])
        #expect(scrubber.scrub("<abcdXYZW1234>") == "<\(Self.r)>")
        // One secret inside another: the longer goes whole, once.
        let nested = SecretScrubber(secrets: ["secret-one", "my-secret-one-longer"])
        #expect(nested.scrub("my-secret-one-longer and secret-one") == "\(Self.r) and \(Self.r)")
        // Back to back.
        #expect(scrubber.scrub("abcdXYZWXYZW1234") == Self.r)
    }

    @Test func veryShortSecretsAreNotRegistered() {
        let scrubber = SecretScrubber(secrets: ["abc", ""])
        #expect(scrubber.patternCount == 0)
        #expect(scrubber.scrub("abc abc") == "abc abc")
    }

    @Test(arguments: [
        ("Incorrect API key provided: 'sk-abc123'.", "Incorrect API key provided: 'R'."),
        (#"{"key":"sk-ant-api03-Zx_9-abc"}"#, #"{"key":"R"}"#),
        ("key AIzaSyA1234567890abcdefghijklmnopqrstu, then", "key R, then"),
        ("Incorrect API key provided: sk-proj-****abcd.", "Incorrect API key provided: R."),
        ("masked sk-proj-****…SJh4 here", "masked R here"),
        ("masked ****abcd here", "masked R here"),
        ("%22sk-proj-abc%22", "%22R%22"),
        ("(sk-svcacct-xyz)", "(R)"),
        (
            "task-force, ask-me, sk- alone, AIza alone, AIzaShort",
            "task-force, ask-me, sk- alone, AIza alone, AIzaShort"
        ),
    ])
    func keyShapedTokensGoWhateverTheirValue(text: String, expected: String) {
        #expect(SecretScrubber.none.scrub(text) == expected.replacingOccurrences(of: "R", with: Self.r))
    }

    @Test func theOpenAIFixtureMessageLosesItsMaskedKey() {
        let message =
            "Incorrect API key provided: sk-proj-" + String(repeating: "*", count: 138)
            + "SJh4. You can find your API key at https://platform.openai.com/account/api-keys."
        let scrubbed = SecretScrubber.none.scrub(message)
        #expect(
            scrubbed == "Incorrect API key provided: \(Self.r). You can find your API key at "
                + "https://platform.openai.com/account/api-keys.")
    }

    @Test func bytesAreScrubbedBeforeAnythingCutsThem() {
        // An error body cut at 500 bytes could end in half a key: scrubbing first leaves none.
        let secret = "plain-TESTSECRET-42"
        let body = Array((String(repeating: "x", count: 490) + secret + " trailing").utf8)
        let scrubbed = SecretScrubber(secrets: [secret]).scrub(body)
        #expect(!String(decoding: scrubbed.prefix(500), as: UTF8.self).contains("plain-TEST"))
        #expect(String(decoding: scrubbed, as: UTF8.self).hasSuffix("\(Self.r) trailing"))
    }

    @Test func errorsLoseSecretsInMessageParamAndHeaders() {
        let scrubber = SecretScrubber(secrets: [Self.key])
        let error = GatewayError(
            status: 429, type: .rateLimited, message: "slow down \(Self.key)",
            param: "p \(Self.key)", provider: "openai",
            headers: [("x-ratelimit-key", Self.key), ("Retry-After", "1")])
        let scrubbed = scrubber.scrub(error)
        #expect(scrubbed.message == "slow down \(Self.r)")
        #expect(scrubbed.param == "p \(Self.r)")
        #expect(scrubbed.headers.map(\.value) == [Self.r, "1"])
        #expect(scrubbed.status == 429 && scrubbed.provider == "openai")
        let stream = scrubber.scrub(
            StreamError(
                type: "upstream_error", message: "'\(Self.key)'", provider: "openai",
                status: 500))
        #expect(stream.message == "'\(Self.r)'")
    }

    @Test func theUpstreamMappingBlanksKeyShapesWithoutKnowingSecrets() {
        let failure = UpstreamErrorMapping.failure(
            provider: "openai", status: 401,
            message: "Incorrect API key provided: '\(Self.key)'.", headers: [])
        #expect(!failure.error.message.contains("TESTSECRET"))
        #expect(failure.error.status == 502)
    }
}
