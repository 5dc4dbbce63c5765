import Foundation
import JSON
import Testing

@Suite("Emulator: Gemini wire")
struct GeminiEmulatorTests {
    let harness: EmulatorHarness
    init() throws { harness = try EmulatorHarness() }

    @Test func sseUsesCRLFFramingAndColonSpaceJSON() throws {
        let r = try harness.gemini("text+chunks=3+input=8+reasoning=4+output=9")
        #expect(r.status == 200)
        let raw = r.text
        #expect(
            raw.hasPrefix("data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"w0\"}],\"role\": \"model\"}")
        )
        #expect(raw.components(separatedBy: "\r\n\r\n").count == 4)
        #expect(!raw.contains("[DONE]"))
        let events = r.eventJSON
        #expect(events.count == 3)
        #expect(
            events.compactMap { $0["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.stringValue }.joined()
                == "w0 w1 w2")
        #expect(events.dropLast().allSatisfy { $0["candidates"]?[0]?["finishReason"] == nil })
        let last = try #require(events.last)
        #expect(last["candidates"]?[0]?["finishReason"]?.stringValue == "STOP")
        let usage = try #require(last["usageMetadata"])
        #expect(usage["promptTokenCount"]?.intValue == 8)
        #expect(usage["candidatesTokenCount"]?.intValue == 5)  // 9 output − 4 thoughts
        #expect(usage["thoughtsTokenCount"]?.intValue == 4)
        #expect(usage["totalTokenCount"]?.intValue == 17)
    }

    @Test func functionCallsArriveTogetherWithoutIDsAndStop() throws {
        let tools = #","tools":[{"functionDeclarations":[{"name":"find_theaters"}]}]"#
        let r = try harness.gemini("tools+calls=3", extra: tools)
        let events = r.eventJSON
        #expect(events.count == 1)
        let parts = try #require(events[0]["candidates"]?[0]?["content"]?["parts"]?.arrayValue)
        #expect(parts.count == 3)
        for (i, part) in parts.enumerated() {
            #expect(part["functionCall"]?["name"]?.stringValue == "find_theaters")
            #expect(part["functionCall"]?["args"]?["n"]?.intValue == i)
            #expect(part["functionCall"]?["id"] == nil)
        }
        #expect(events[0]["candidates"]?[0]?["finishReason"]?.stringValue == "STOP")
    }

    @Test func thoughtPartsThenASignedTextPart() throws {
        let r = try harness.gemini("thinking+chunks=2")
        let parts = r.eventJSON.compactMap { $0["candidates"]?[0]?["content"]?["parts"]?[0] }
        #expect(parts.map { $0["thought"]?.boolValue == true } == [true, true, true, false, false])
        #expect(parts[3]["thoughtSignature"]?.stringValue?.isEmpty == false)
        #expect(parts[4]["thoughtSignature"] == nil)
        let whole = try harness.gemini("thinking", stream: false)
        #expect(whole.text.hasSuffix("\n"))
        #expect(whole.text.contains("\n  \"candidates\": ["))
        let wholeParts = whole.json?["candidates"]?[0]?["content"]?["parts"]?.arrayValue ?? []
        #expect(wholeParts.count == 2)
        #expect(wholeParts[1]["thoughtSignature"] != nil)
    }

    @Test func withoutAltSSETheStreamIsOneJSONArray() throws {
        let r = try harness.gemini("text+chunks=4", sse: false)
        let array = try #require(r.json?.arrayValue)
        #expect(array.count == 4)
        #expect(array.last?["candidates"]?[0]?["finishReason"]?.stringValue == "STOP")
    }

    @Test func keysAreChecked() throws {
        let bad = try harness.gemini("text", key: "bad-key")
        #expect(bad.status == 400)
        #expect(bad.body == EmulatorHarness.fixture("gemini", "error-400-api-key-invalid.json"))
        let missing = try harness.gemini("text", key: nil)
        #expect(missing.status == 403)
        #expect(missing.json?["error"]?["status"]?.stringValue == "PERMISSION_DENIED")
        let query = try harness.request(
            "POST", "/v1beta/models/gemini-2.5-flash:generateContent?key=k1",
            body: #"{"contents":[]}"#)
        #expect(query.status == 200)
    }

    @Test func rateLimitCarriesRetryInfo() throws {
        let r = try harness.gemini("error+status=429+retry_after=7")
        #expect(r.status == 429)
        #expect(r.headers["retry-after"] == nil)
        let error = try #require(r.json?["error"])
        #expect(error["status"]?.stringValue == "RESOURCE_EXHAUSTED")
        let retry = error["details"]?.arrayValue?.first { $0["@type"]?.stringValue?.hasSuffix("RetryInfo") == true }
        #expect(retry?["retryDelay"]?.stringValue == "7s")
        let unavailable = try harness.gemini("error+status=503")
        #expect(unavailable.body == EmulatorHarness.fixture("gemini", "error-503-unavailable.json"))
        let internalError = try harness.gemini("error+status=500")
        #expect(internalError.json?["error"]?["status"]?.stringValue == "INTERNAL")
    }

    @Test func cachedContentsLifecycle() throws {
        let key = ["x-goog-api-key": "k"]
        let created = try harness.request(
            "POST", "/v1beta/cachedContents", headers: key,
            body: #"""
                {"model":"models/text+input=5","contents":[{"role":"user",\#
                "parts":[{"text":"\#(String(repeating: "long document ", count: 40))"}]}],"ttl":"0.6s"}
                """#)
        #expect(created.status == 200)
        let name = try #require(created.json?["name"]?.stringValue)
        let tokens = try #require(created.json?["usageMetadata"]?["totalTokenCount"]?.intValue)
        #expect(name.hasPrefix("cachedContents/"))
        #expect(created.json?["expireTime"]?.stringValue?.hasSuffix("Z") == true)
        let fetched = try harness.request("GET", "/v1beta/" + name, headers: key)
        #expect(fetched.json?["name"]?.stringValue == name)

        let using = try harness.gemini("text+input=5", stream: false, extra: #","cachedContent":"\#(name)""#)
        #expect(using.status == 200)
        let usage = try #require(using.json?["usageMetadata"])
        #expect(usage["cachedContentTokenCount"]?.intValue == tokens)
        #expect(usage["promptTokenCount"]?.intValue == 5 + tokens)

        let conflicting = try harness.gemini(
            "text+input=5", stream: false,
            extra: #","cachedContent":"\#(name)","systemInstruction":{"parts":[{"text":"x"}]}"#)
        #expect(conflicting.status == 400)
        let unknown = try harness.gemini("text", stream: false, extra: #","cachedContent":"cachedContents/nope""#)
        #expect(unknown.status == 404)
        #expect(unknown.json?["error"]?["status"]?.stringValue == "NOT_FOUND")

        Thread.sleep(forTimeInterval: 0.7)
        let expired = try harness.gemini("text+input=5", extra: #","cachedContent":"\#(name)""#)
        #expect(expired.status == 400)
        #expect(expired.json?["error"]?["status"]?.stringValue == "INVALID_ARGUMENT")
        #expect(try harness.request("GET", "/v1beta/" + name, headers: key).status == 404)
        #expect(try harness.request("DELETE", "/v1beta/" + name, headers: key).status == 200)
        #expect(try harness.request("DELETE", "/v1beta/" + name, headers: key).status == 404)
    }
}
