import ChatModel
import JSON
import Testing
@testable import Providers

/// `/v1/messages` requests: every field mapped, passed to Anthropic only, or refused with a
/// 400 naming the client's own field.
@Suite("Anthropic door: request fields")
struct AnthropicDoorRequestTests {
    static let head = #"{"model":"anthropic/claude","max_tokens":100,"messages":[{"role":"user","content":"hi"}]"#

    func translate(_ rest: String) throws -> ChatRequest {
        try AnthropicRequestTranslator.translate(try JSONValue.parse(Self.head + rest + "}"))
    }

    @Test func topLevelFieldsAreMapped() throws {
        let r = try translate(
            #","system":[{"type":"text","text":"sys","cache_control":{"type":"ephemeral"}}],"#
                + #""metadata":{"user_id":"u1"},"stop_sequences":["END"],"stream":true,"temperature":0.5,"top_p":0.9,"#
                + #""tools":[{"name":"f","description":"d","input_schema":{"type":"object"},"strict":true},"#
                + #"{"type":"web_search_20250305","name":"web_search","max_uses":2}],"#
                + #""tool_choice":{"type":"any","disable_parallel_tool_use":true},"thinking":{"type":"enabled","#
                + #""budget_tokens":2048},"#
                + #""output_config":{"format":{"type":"json_schema","schema":{"type":"object"}}},"service_tier":"auto""#
        )
        #expect(r.messages[0] == Message(role: .system, content: [.text(TextPart(text: "sys", cache: true))]))
        #expect(
            r.user == "u1" && r.stop == ["END"] && r.stream && r.temperature == 0.5 && r.topP == 0.9
                && r.maxTokens == 100)
        #expect(r.tools == [Tool(name: "f", description: "d", parameters: ["type": "object"], strict: true)])
        #expect(
            r.providerTools == [
                ProviderTool(
                    provider: "anthropic",
                    definition: ["type": "web_search_20250305", "name": "web_search", "max_uses": 2])
            ])
        #expect(r.toolChoice == .required && r.parallelToolCalls == false)
        #expect(r.thinking == .budget(2048))
        #expect(r.responseFormat == .jsonSchema(JSONSchemaFormat(name: "response", schema: ["type": "object"])))
        #expect(r.providerOptions["anthropic"] == JSONObject([("service_tier", "auto")]))
        #expect(
            try translate(#","output_format":{"type":"json_schema","schema":{"type":"object"}}"#).responseFormat
                == .jsonSchema(JSONSchemaFormat(name: "response", schema: ["type": "object"])))
        #expect(try translate(#","thinking":{"type":"disabled"}"#).thinking == nil)
        #expect(try translate("").stream == false)
    }

    @Test func blocksOfEveryKindAreMapped() throws {
        let search = #"{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"oslo"}}"#
        let result =
            #"{"type":"web_search_tool_result","tool_use_id":"srvtoolu_1","content":[{"type":"web_search_result","#
            + #""url":"https://x","title":"X","encrypted_content":"E","page_age":null}]}"#
        let body =
            #"{"model":"m","messages":["#
            + #"{"role":"user","content":[{"type":"text","text":"look"},{"type":"image","source":{"type":"base64","#
            + #""media_type":"image/png","data":"QQ=="},"cache_control":{"type":"ephemeral","ttl":"5m"}},"#
            + #"{"type":"image","source":{"type":"url","url":"https://x/y.png"}}]},"#
            + #"{"role":"assistant","content":[{"type":"thinking","thinking":"hm","signature":"anthropic:s"},"#
            + #"{"type":"redacted_thinking","data":"R"},"#
            + search + "," + result + ","
            + #"{"type":"text","text":"Oslo is cold","citations":[{"type":"web_search_result_location","#
            + #""url":"https://x","title":"X","encrypted_index":"I","cited_text":"c"}]},"#
            + #"{"type":"tool_use","id":"t1","name":"f","input":{"a":1},"caller":null}]},"#
            + #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":[{"type":"text","#
            + #""text":"3"},{"type":"text","text":"!"}],"is_error":true,"cache_control":{"type":"ephemeral"}},"#
            + #"{"type":"text","text":"thanks"}]}"#
            + "]}"
        let r = try AnthropicRequestTranslator.translate(try JSONValue.parse(body))
        #expect(
            r.messages[0].content == [
                .text(TextPart(text: "look")), .image(ImagePart(mediaType: "image/png", data: "QQ==", cache: true)),
                .image(ImagePart(url: "https://x/y.png")),
            ])
        #expect(r.messages[1].content.count == 6)
        #expect(r.messages[1].content[0] == .thinking(ThinkingPart(text: "hm", signature: "anthropic:s")))
        #expect(r.messages[1].content[1] == .thinking(ThinkingPart(redacted: "R")))
        guard case .serverTool(let use) = r.messages[1].content[2], case .serverTool(let res) = r.messages[1].content[3]
        else {
            Issue.record("server tool blocks are not server_tool parts: \(r.messages[1].content)")
            return
        }
        #expect(use.provider == "anthropic" && use.block.serialized() == search)
        #expect(res.block.serialized() == result)
        #expect(r.messages[1].content[4] == .text(TextPart(text: "Oslo is cold")))
        #expect(r.messages[1].content[5] == .toolCall(ToolCallPart(id: "t1", name: "f", arguments: ["a": 1])))
        #expect(
            r.messages[2]
                == Message(
                    role: .tool, content: [.text(TextPart(text: "3!"))], toolCallId: "t1", isError: true, cache: true))
        #expect(r.messages[3] == .text(.user, "thanks"))
    }

    @Test(arguments: [
        (#","top_k":5"#, "top_k"),
        (#","container":"c1""#, "container"),
        (#","mcp_servers":[{"type":"url","url":"https://m","name":"m"}]"#, "mcp_servers"),
        (#","context_management":{"edits":[]}"#, "context_management"),
        (#","cache_control":{"type":"ephemeral"}"#, "cache_control"),
        (#","inference_geo":"us""#, "inference_geo"),
        (#","bogus":true"#, "bogus"),
        (#","metadata":{"user_id":"u","team":"t"}"#, "metadata.team"),
        (#","thinking":{"type":"adaptive"}"#, "thinking.type"),
        (#","thinking":{"type":"enabled"}"#, "thinking.budget_tokens"),
        (#","output_config":{"effort":"high"}"#, "output_config.effort"),
        (#","output_config":{"format":{"type":"json_schema"}}"#, "output_config.format.schema"),
        (#","output_config":{"format":{"type":"regex","schema":{}}}"#, "output_config.format.type"),
        (#","service_tier":"priority""#, "service_tier"),
        (#","temperature":1.5"#, "temperature"),
        (#","max_tokens":0"#, "max_tokens"),
        (#","stop_sequences":["a","b","c","d","e"]"#, "stop_sequences"),
        (#","tools":[{"name":"f"}]"#, "tools[0].input_schema"),
        (#","tools":[{"name":"f","input_schema":{},"x":1}]"#, "tools[0].x"),
        (#","tools":[{"name":"f","input_schema":{}}],"tool_choice":{"type":"tool","name":"g"}"#, "tool_choice.name"),
        (#","tool_choice":{"type":"none","disable_parallel_tool_use":true}"#, "tool_choice.disable_parallel_tool_use"),
        (#","system":[{"type":"image","source":{}}]"#, "system[0].type"),
    ])
    func topLevelRefusalsNameTheField(rest: String, param: String) {
        #expect(refusal { try translate(rest) } == param)
    }

    @Test(arguments: [
        (#"{"role":"system","content":"a"}"#, "messages[0].role"),
        (
            #"{"role":"user","content":[{"type":"document","source":{"type":"text","media_type":"text/plain","#
                + #""data":"x"}}]}"#,
            "messages[0].content[0].type"
        ),
        (
            #"{"role":"user","content":[{"type":"search_result","source":"s","title":"t","content":[]}]}"#,
            "messages[0].content[0].type"
        ),
        (
            #"{"role":"user","content":[{"type":"image","source":{"type":"file","file_id":"f"}}]}"#,
            "messages[0].content[0].source.type"
        ),
        (
            #"{"role":"user","content":[{"type":"thinking","thinking":"t","signature":"s"}]}"#,
            "messages[0].content[0].type"
        ),
        (
            #"{"role":"user","content":[{"type":"server_tool_use","id":"s","name":"web_search","input":{}}]}"#,
            "messages[0].content[0].type"
        ),
        (
            #"{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"image","#
                + #""source":{"type":"url","url":"u"}}]}]}"#,
            "messages[0].content[0].content[0].type"
        ),
        (
            #"{"role":"assistant","content":[{"type":"mcp_tool_use","id":"m","name":"n","server_name":"s","#
                + #""input":{}}]}"#,
            "messages[0].content[0].type"
        ),
        (
            #"{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":[]}]}"#,
            "messages[0].content[0].input"
        ),
        (
            #"{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{},"#
                + #""caller":{"type":"code_execution_20250825","tool_id":"x"}}]}"#,
            "messages[0].content[0].caller"
        ),
        (#"{"role":"user","content":[{"type":"hologram"}]}"#, "messages[0].content[0].type"),
        (
            #"{"role":"user","content":[{"type":"text","text":"a","cache_control":{"type":"ephemeral","ttl":"1h"}}]}"#,
            "messages[0].content[0].cache_control.ttl"
        ),
    ])
    func blockRefusalsNameTheField(message: String, param: String) {
        let body = #"{"model":"m","max_tokens":10,"messages":["# + message + "]}"
        #expect(refusal { try AnthropicRequestTranslator.translate(try JSONValue.parse(body)) } == param)
    }

    /// `null` is absent on this door too: a tool_use block with `"input": null` has no arguments.
    @Test func nullToolInputIsNoArguments() throws {
        let body =
            #"{"model":"m","messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","#
            + #""input":null}]}]}"#
        let r = try AnthropicRequestTranslator.translate(try JSONValue.parse(body))
        #expect(
            r.messages[0].content == [.toolCall(ToolCallPart(id: "t", name: "f", arguments: .object(JSONObject())))])
    }
}
