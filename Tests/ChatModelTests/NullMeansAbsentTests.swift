import JSON
import Testing
@testable import ChatModel

/// openapi.yaml's one rule for optional fields: `null` is the same as leaving the field out.
/// Each request here differs from a decodable one only by an optional field set to `null`.
@Suite("Unified request: null means absent")
struct NullMeansAbsentTests {
    func decode(_ text: String) throws -> ChatRequest { try ChatRequest.decode(try JSONValue.parse(text)) }

    @Test(arguments: [
        #"{"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a","cache":null}]}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":[{"type":"image","url":"u","cache":null}]}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":"a","tool_call_id":null,"is_error":null}]}"#,
        #"{"model":"m","messages":[{"role":"user","content":"a"}],"provider_options":{"openai":null}}"#,
        #"{"model":"m","messages":[{"role":"user","content":"a"}],"thinking":{"effort":"low","budget_tokens":null}}"#,
        #"{"model":"m","messages":[{"role":"user","content":"a"}],"thinking":{"effort":null,"budget_tokens":5}}"#,
    ])
    func optionalNullIsAccepted(body: String) throws {
        _ = try decode(body)
    }

    @Test func nullDecodesLikeAbsence() throws {
        let withNulls = try decode(
            #"""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a","cache":null}],
             "tool_call_id":null,"is_error":null,"cache":null}],"provider_options":{"openai":null,"gemini":{"x":1}},
             "thinking":{"effort":"low","budget_tokens":null},"tools":null,"stop":null,"stream":null}
            """#)
        let without = try decode(
            #"""
            {"model":"m","messages":[{"role":"user","content":[{"type":"text","text":"a"}]}],
             "provider_options":{"gemini":{"x":1}},"thinking":{"effort":"low"}}
            """#)
        #expect(withNulls == without)
    }

    @Test(arguments: [
        (
            #"""
            {"model":"m","messages":[{"role":"user","content":"a"}],\#
            "thinking":{"effort":null,"budget_tokens":null}}
            """#, "thinking"
        ),
        (#"{"model":"m","messages":[{"role":"tool","content":"a","tool_call_id":null}]}"#, "messages[0].tool_call_id"),
        (#"{"model":"m","messages":[{"role":"user","content":"a","tool_call_id":"x"}]}"#, "messages[0].tool_call_id"),
    ])
    func requiredOrMisplacedFieldsStillRefused(body: String, param: String) {
        #expect {
            try decode(body)
        } throws: { error in
            (error as? GatewayError)?.param == param
        }
    }
}
