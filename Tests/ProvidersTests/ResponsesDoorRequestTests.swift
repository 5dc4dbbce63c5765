import ChatModel
import JSON
import Testing

@testable import Providers

/// `/v1/responses` requests: every input item kind to unified messages, the settings, and the
/// 400s that name what is refused.
@Suite("Responses door: requests")
struct ResponsesDoorRequestTests {
    static func read(
        _ body: String, history: [JSONValue] = []
    ) throws(GatewayError) -> ResponsesRequest {
        let json = try! JSONValue.parse(body)
        return try ResponsesRequestTranslator.translate(json) { (_) throws(GatewayError) in history }
    }

    static func refusal(_ body: String) -> GatewayError? {
        do {
            _ = try read(body)
            return nil
        } catch { return error }
    }

    @Test func aStringIsOneUserMessageAndInstructionsComeFirst() throws {
        let read = try Self.read(#"{"model":"m","input":"hi","instructions":"be brief","store":false}"#)
        #expect(read.chat.messages == [.text(.system, "be brief"), .text(.user, "hi")])
        #expect(read.store == false)
        #expect(read.chat.stream == false)
        #expect(read.inputItems.count == 1)
        #expect(read.echo["instructions"] == "be brief")
    }

    @Test func everyItemKindMapsAndAssistantItemsFormOneTurn() throws {
        let read = try Self.read(
            #"""
            {"model":"m","input":[
              {"role":"developer","content":"rules"},
              {"type":"message","role":"user","content":[{"type":"input_text","text":"look"},
                {"type":"input_image","image_url":"data:image/png;base64,iVBO"},
                {"type":"input_image","image_url":"https://x/y.png","detail":"auto"}]},
              {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"hm"}],
               "encrypted_content":"anthropic:SIG"},
              {"type":"message","role":"assistant","id":"msg_1","status":"completed",
               "content":[{"type":"output_text","text":"calling","annotations":[],"logprobs":[]}]},
              {"type":"function_call","id":"fc_1","call_id":"c1","name":"f","arguments":"{\"a\":1}",
               "status":"completed"},
              {"type":"function_call","call_id":"c2","name":"f","arguments":"{}"},
              {"type":"function_call_output","call_id":"c1","output":"one"},
              {"type":"function_call_output","call_id":"c2","output":[{"type":"input_text","text":"two"}]},
              {"type":"reasoning","summary":[],"encrypted_content":"anthropic-redacted:DATA"}
            ]}
            """#)
        let m = read.chat.messages
        #expect(m.count == 6)
        #expect(m[0] == .text(.system, "rules"))
        #expect(
            m[1].content == [
                .text(TextPart(text: "look")), .image(ImagePart(mediaType: "image/png", data: "iVBO")),
                .image(ImagePart(url: "https://x/y.png")),
            ])
        #expect(
            m[2]
                == Message(
                    role: .assistant,
                    content: [
                        .thinking(ThinkingPart(text: "hm", signature: "anthropic:SIG")),
                        .text(TextPart(text: "calling")),
                        .toolCall(ToolCallPart(id: "c1", name: "f", arguments: ["a": 1])),
                        .toolCall(ToolCallPart(id: "c2", name: "f", arguments: [:])),
                    ]))
        #expect(m[3] == Message(role: .tool, content: [.text(TextPart(text: "one"))], toolCallId: "c1"))
        #expect(m[4] == Message(role: .tool, content: [.text(TextPart(text: "two"))], toolCallId: "c2"))
        #expect(m[5] == Message(role: .assistant, content: [.thinking(ThinkingPart(redacted: "DATA"))]))
    }

    @Test func aPreviousResponsesConversationComesFirst() throws {
        let history: [JSONValue] = [
            ["role": "user", "content": "first"],
            ["type": "message", "role": "assistant", "content": [["type": "output_text", "text": "answer"]]],
        ]
        let read = try Self.read(
            #"{"model":"m","input":"second","previous_response_id":"resp_1"}"#, history: history)
        #expect(read.chat.messages == [.text(.user, "first"), .text(.assistant, "answer"), .text(.user, "second")])
        #expect(read.inputItems.count == 3)
        #expect(read.echo["previous_response_id"] == "resp_1")
    }

    @Test func settingsMapToTheUnifiedRequest() throws {
        let read = try Self.read(
            #"""
            {"model":"m","input":"hi","stream":true,"max_output_tokens":50,"temperature":0.5,"top_p":0.9,
             "tools":[{"type":"function","name":"f","parameters":{"type":"object"},"strict":true}],
             "tool_choice":{"type":"function","name":"f"},"parallel_tool_calls":false,
             "reasoning":{"effort":"high","summary":"auto"},"user":"u1","metadata":{"k":"v"},
             "text":{"format":{"type":"json_schema","name":"out","schema":{"type":"object"},"strict":true}},
             "include":["reasoning.encrypted_content"],"truncation":"disabled","background":false}
            """#)
        let c = read.chat
        #expect(c.stream && c.maxTokens == 50 && c.temperature == 0.5 && c.topP == 0.9)
        #expect(c.tools.map(\.name) == ["f"] && c.tools[0].strict == true)
        #expect(c.toolChoice == .tool("f") && c.parallelToolCalls == false)
        #expect(c.thinking == .effort(.high) && c.user == "u1" && c.metadata?["k"] == "v")
        guard case .jsonSchema(let schema)? = c.responseFormat else {
            Issue.record("no schema: \(String(describing: c.responseFormat))")
            return
        }
        #expect(schema.name == "out")
    }

    @Test func whatCannotBeHonouredIsRefusedByName() {
        let cases: [(String, String)] = [
            (#"{"model":"m","input":"hi","tools":[{"type":"web_search"}]}"#, "tools[0].type"),
            (#"{"model":"m","input":"hi","tools":[{"type":"file_search","vector_store_ids":[]}]}"#, "tools[0].type"),
            (#"{"model":"m","input":"hi","tools":[{"type":"code_interpreter"}]}"#, "tools[0].type"),
            (#"{"model":"m","input":"hi","background":true}"#, "background"),
            (#"{"model":"m","input":"hi","conversation":"conv_1"}"#, "conversation"),
            (#"{"model":"m","input":"hi","truncation":"auto"}"#, "truncation"),
            (#"{"model":"m","input":"hi","include":["file_search_call.results"]}"#, "include[0]"),
            (#"{"model":"m","input":"hi","frobnicate":1}"#, "frobnicate"),
            (#"{"model":"m","input":"hi","tool_choice":{"type":"web_search"}}"#, "tool_choice.type"),
            (
                #"{"model":"m","input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}"#,
                "input[0].content[0].type"
            ),
            (#"{"model":"m","input":[{"type":"web_search_call","id":"w"}]}"#, "input[0].type"),
            (
                #"{"model":"m","input":[{"type":"function_call","call_id":"c","name":"f","arguments":"nope"}]}"#,
                "input[0].arguments"
            ),
            (#"{"model":"m","input":"hi","max_output_tokens":-1}"#, "max_output_tokens"),
            (#"{"model":"m","input":"hi","text":{"verbosity":"low"}}"#, "text.verbosity"),
        ]
        for (body, param) in cases {
            let error = Self.refusal(body)
            #expect(error?.status == 400 && error?.param == param, "\(body): \(String(describing: error))")
        }
    }
}
