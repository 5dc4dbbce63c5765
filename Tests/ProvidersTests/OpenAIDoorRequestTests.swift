import ChatModel
import JSON
import Testing
@testable import Providers

/// `/v1/chat/completions` requests: every field mapped, passed to OpenAI only, or refused
/// with a 400 naming the client's own field.
@Suite("OpenAI door: request fields")
struct OpenAIDoorRequestTests {
    static let head = #"{"model":"openai/gpt","messages":[{"role":"user","content":"hi"}]"#

    func translate(_ rest: String) throws -> (request: ChatRequest, includeUsage: Bool) {
        try OpenAIRequestTranslator.translate(try JSONValue.parse(Self.head + rest + "}"))
    }

    @Test func generationFieldsAreMapped() throws {
        let (r, usage) = try translate(
            #","response_format":{"type":"json_schema","json_schema":{"name":"w","schema":{"type":"object"},"#
                + #""strict":true}},"#
                + #""seed":3,"parallel_tool_calls":false,"logprobs":true,"top_logprobs":2,"stop":"END","#
                + #""presence_penalty":0.5,"#
                + #""frequency_penalty":0.25,"max_completion_tokens":100,"max_tokens":100,"n":1,"stream":true,"#
                + #""stream_options":{"include_usage":true},"temperature":0.7,"top_p":0.9,"user":"u1","#
                + #""safety_identifier":"u1","#
                + #""reasoning_effort":"minimal","modalities":["text"],"logit_bias":{},"store":false,"#
                + #""metadata":{"k":"v"},"#
                + #""service_tier":"auto","prompt_cache_key":"c1""#)
        #expect(r.responseFormat == .jsonSchema(JSONSchemaFormat(name: "w", schema: ["type": "object"], strict: true)))
        #expect(r.seed == 3 && r.parallelToolCalls == false && r.logprobs == true && r.topLogprobs == 2)
        #expect(r.stop == ["END"] && r.presencePenalty == 0.5 && r.frequencyPenalty == 0.25 && r.maxTokens == 100)
        #expect(r.stream && usage && r.temperature == 0.7 && r.topP == 0.9 && r.user == "u1")
        #expect(r.thinking == .effort(.low))
        // Advisory OpenAI-only fields (and the exact effort) reach OpenAI as sent; nothing else.
        #expect(
            r.providerOptions["openai"]
                == JSONObject([
                    ("reasoning_effort", "minimal"), ("store", false),
                    ("metadata", ["k": "v"]), ("service_tier", "auto"),
                    ("prompt_cache_key", "c1"),
                ]))
        #expect(r.metadata == nil)
        #expect(try translate("").request.stream == false)
    }

    @Test func messagesOfEveryRoleAndPartAreMapped() throws {
        let body =
            #"{"model":"m","messages":["#
            + #"{"role":"developer","content":[{"type":"text","text":"be terse"}]},"#
            + #"{"role":"user","content":[{"type":"text","text":"look","cache_control":{"type":"ephemeral"}},"#
            + #"{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,QUJD","detail":"auto"}},"#
            + #"{"type":"image_url","image_url":{"url":"https://x/y.png"}}]},"#
            + #"{"role":"assistant","content":null,"reasoning_content":"ignored, details win","#
            + #""reasoning_details":[{"type":"reasoning.text","text":"hmm","signature":"anthropic:s1","#
            + #""format":"anthropic-claude-v1","index":0},"#
            + #"{"type":"reasoning.encrypted","data":"ZZ","format":"anthropic-claude-v1","index":1}],"#
            + #""tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"a\":1}"},"#
            + #""extra_content":{"google":{"thought_signature":"gemini:g1"}}}]},"#
            + #"{"role":"tool","tool_call_id":"c1","content":[{"type":"text","text":"3"}]},"#
            + #"{"role":"assistant","content":[{"type":"refusal","refusal":"no"}],"#
            + #""thinking_blocks":[{"type":"thinking","thinking":"t","signature":"anthropic:s2"},"#
            + #"{"type":"redacted_thinking","data":"R"}]}"#
            + #"],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"},"strict":true}}]}"#
        let r = try OpenAIRequestTranslator.translate(try JSONValue.parse(body)).request
        #expect(r.messages[0] == .text(.system, "be terse"))
        #expect(
            r.messages[1].content == [
                .text(TextPart(text: "look", cache: true)),
                .image(ImagePart(mediaType: "image/jpeg", data: "QUJD")),
                .image(ImagePart(url: "https://x/y.png")),
            ])
        #expect(
            r.messages[2].content == [
                .thinking(ThinkingPart(text: "hmm", signature: "anthropic:s1")),
                .thinking(ThinkingPart(redacted: "ZZ")),
                .toolCall(ToolCallPart(id: "c1", name: "f", arguments: ["a": 1], signature: "gemini:g1")),
            ])
        #expect(r.messages[3] == Message(role: .tool, content: [.text(TextPart(text: "3"))], toolCallId: "c1"))
        #expect(
            r.messages[4].content == [
                .thinking(ThinkingPart(text: "t", signature: "anthropic:s2")),
                .thinking(ThinkingPart(redacted: "R")), .text(TextPart(text: "no")),
            ])
        #expect(r.tools == [Tool(name: "f", parameters: ["type": "object"], strict: true)])
    }

    @Test func reasoningContentAloneIsUnsignedThinking() throws {
        let body =
            #"{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":"b","#
            + #""reasoning_content":"r"}]}"#
        let r = try OpenAIRequestTranslator.translate(try JSONValue.parse(body)).request
        #expect(r.messages[1].content == [.thinking(ThinkingPart(text: "r")), .text(TextPart(text: "b"))])
    }

    @Test(arguments: [
        (#","logit_bias":{"50256":-100}"#, "logit_bias"),
        (#","audio":{"voice":"alloy","format":"wav"}"#, "audio"),
        (#","modalities":["text","audio"]"#, "modalities"),
        (#","prediction":{"type":"content","content":"x"}"#, "prediction"),
        (#","web_search_options":{}"#, "web_search_options"),
        (#","verbosity":"low""#, "verbosity"),
        (#","functions":[{"name":"f"}]"#, "functions"),
        (#","function_call":"auto""#, "function_call"),
        (#","n":2"#, "n"),
        (#","bogus":1"#, "bogus"),
        (#","seed":1.5"#, "seed"),
        (#","top_logprobs":3"#, "top_logprobs"),
        (#","presence_penalty":9"#, "presence_penalty"),
        (#","max_tokens":10,"max_completion_tokens":20"#, "max_tokens"),
        (#","max_completion_tokens":0"#, "max_completion_tokens"),
        (#","user":"a","safety_identifier":"b""#, "safety_identifier"),
        (#","reasoning_effort":"extreme""#, "reasoning_effort"),
        (#","stream_options":{"include_usage":true,"x":1}"#, "stream_options.x"),
        (
            #","response_format":{"type":"json_schema","json_schema":{"name":"w"}}"#,
            "response_format.json_schema.schema"
        ),
        (#","stop":["a","b","c","d","e"]"#, "stop"),
        (#","tools":[{"type":"custom","custom":{"name":"f"}}]"#, "tools[0].type"),
        (#","tools":[{"type":"function","function":{"name":"bad name"}}]"#, "tools[0].function.name"),
        (
            #","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"allowed_tools","#
                + #""allowed_tools":{}}"#,
            "tool_choice.type"
        ),
        (
            #","tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","#
                + #""function":{"name":"g"}}"#,
            "tool_choice"
        ),
        (#","tool_choice":"required""#, "tool_choice"),
    ])
    func topLevelRefusalsNameTheField(rest: String, param: String) {
        #expect(refusal { try translate(rest) } == param)
    }

    @Test(arguments: [
        (#"{"role":"user","content":"a","name":"bob"}"#, "messages[0].name"),
        (#"{"role":"function","name":"f","content":"a"}"#, "messages[0].role"),
        (#"{"role":"robot","content":"a"}"#, "messages[0].role"),
        (
            #"{"role":"user","content":[{"type":"input_audio","input_audio":{"data":"x","format":"wav"}}]}"#,
            "messages[0].content[0].type"
        ),
        (#"{"role":"user","content":[{"type":"file","file":{"file_id":"f"}}]}"#, "messages[0].content[0].type"),
        (
            #"{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://x","detail":"high"}}]}"#,
            "messages[0].content[0].image_url.detail"
        ),
        (
            #"{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}"#,
            "messages[0].content[0].image_url.url"
        ),
        (
            #"{"role":"user","content":[{"type":"text","text":"a","cache_control":{"type":"ephemeral","ttl":"1h"}}]}"#,
            "messages[0].content[0].cache_control.ttl"
        ),
        (
            #"{"role":"system","content":[{"type":"image_url","image_url":{"url":"https://x"}}]}"#,
            "messages[0].content[0].type"
        ),
        (#"{"role":"assistant","content":"a","audio":{"id":"x"}}"#, "messages[0].audio"),
        (
            #"{"role":"assistant","content":"a","function_call":{"name":"f","arguments":"{}"}}"#,
            "messages[0].function_call"
        ),
        (
            #"{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","#
                + #""arguments":"[1]"}}]}"#,
            "messages[0].tool_calls[0].function.arguments"
        ),
        (
            #"{"role":"assistant","tool_calls":[{"id":"c","type":"custom","custom":{"name":"f","input":"x"}}]}"#,
            "messages[0].tool_calls[0].type"
        ),
        (
            #"{"role":"assistant","content":"a","reasoning_details":[{"type":"reasoning.magic"}]}"#,
            "messages[0].reasoning_details[0].type"
        ),
        (
            #"{"role":"assistant","content":"a","thinking_blocks":[{"type":"thinking","thinking":"t","extra":1}]}"#,
            "messages[0].thinking_blocks[0].extra"
        ),
        (
            #"{"role":"assistant","tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{}"},"#
                + #""extra_content":{"openai":{}}}]}"#,
            "messages[0].tool_calls[0].extra_content.openai"
        ),
        (#"{"role":"tool","content":"a"}"#, "messages[0].tool_call_id"),
    ])
    func messageRefusalsNameTheField(message: String, param: String) {
        let body = #"{"model":"m","messages":["# + message + "]}"
        #expect(refusal { try OpenAIRequestTranslator.translate(try JSONValue.parse(body)) } == param)
    }

    @Test func nullMeansAbsent() throws {
        let (r, _) = try translate(
            #","logit_bias":null,"audio":null,"functions":null,"seed":null,"response_format":null,"tools":null"#)
        #expect(r.seed == nil && r.responseFormat == nil && r.tools.isEmpty)
    }
}

/// The param of the 400 `body` throws, or nil when it does not throw.
func refusal<T>(_ body: () throws -> T) -> String? {
    do {
        _ = try body()
        return nil
    } catch let error as GatewayError {
        return error.status == 400 ? error.param ?? "(no param)" : "status \(error.status)"
    } catch {
        return "\(error)"
    }
}
