import ChatModel
import Foundation
import JSON
import Testing
@testable import Providers

/// Issue 11's request fields, per provider: each is mapped to the provider's own shape or
/// refused with a 400 that names the field and the provider.
@Suite("Request options: mapped per provider, or refused naming field and provider")
struct RequestOptionsMappingTests {
    typealias H = Harness
    static let jsonSchema = ResponseFormat.jsonSchema(
        JSONSchemaFormat(
            name: "weather", description: "The weather",
            schema: Harness.schema, strict: true))

    @Test func jsonSchemaIsOpenAIsResponseFormatAsIs() throws {
        let body = try H.body("openai", H.request { $0.responseFormat = Self.jsonSchema })
        #expect(
            body["response_format"] == [
                "type": "json_schema",
                "json_schema": [
                    "name": "weather", "description": "The weather",
                    "schema": H.schema, "strict": true,
                ],
            ])
        #expect(
            try H.body("openai", H.request { $0.responseFormat = .jsonObject })["response_format"] == [
                "type": "json_object"
            ])
        #expect(try H.body("openai", H.request { $0.responseFormat = .text })["response_format"] == ["type": "text"])
    }

    @Test func jsonSchemaIsGeminisMimeTypeAndJSONSchema() throws {
        let generation = try H.body("gemini", H.request { $0.responseFormat = Self.jsonSchema })["generationConfig"]
        #expect(generation?["responseMimeType"] == "application/json")
        #expect(generation?["responseJsonSchema"] == H.schema)
        let object = try H.body("gemini", H.request { $0.responseFormat = .jsonObject })["generationConfig"]
        #expect(object == ["responseMimeType": "application/json"])
        #expect(try H.body("gemini", H.request { $0.responseFormat = .text })["generationConfig"] == nil)
    }

    @Test func anthropicUsesNativeStructuredOutputsFromClaude45() throws {
        let body = try H.body(
            "anthropic", H.withTool { $0.responseFormat = Self.jsonSchema }, model: "claude-sonnet-4-5")
        #expect(body["output_config"] == ["format": ["type": "json_schema", "schema": H.schema]])
        #expect(body["tools"]?.arrayValue?.count == 1)  // the client's tool, untouched
        #expect(body["tool_choice"] == nil)
    }

    @Test func anthropicForcesAnAnswerToolOnOlderModelsAndForJSONObject() throws {
        let body = try H.body(
            "anthropic", H.request { $0.responseFormat = Self.jsonSchema }, model: "claude-3-7-sonnet-20250219")
        #expect(body["output_config"] == nil)
        #expect(body["tools"] == [["name": "weather", "description": "The weather", "input_schema": H.schema]])
        #expect(body["tool_choice"] == ["type": "tool", "name": "weather", "disable_parallel_tool_use": true])
        let object = try H.body("anthropic", H.request { $0.responseFormat = .jsonObject }, model: "claude-opus-4-6")
        #expect(object["tools"]?[0]?["name"] == "json_object")
        #expect(object["tools"]?[0]?["input_schema"] == ["type": "object"])
        #expect(object["tool_choice"]?["name"] == "json_object")
        #expect(try H.body("anthropic", H.request { $0.responseFormat = .text })["tools"] == nil)
    }

    @Test func anthropicRefusesWhatTheAnswerToolCannotCombine() {
        let old = "claude-3-5-haiku-latest"
        let withTools = H.refusal("anthropic", H.withTool { $0.responseFormat = Self.jsonSchema }, model: old)
        #expect(withTools?.param == "response_format" && withTools?.provider == "anthropic" && withTools?.status == 400)
        let withThinking = H.refusal(
            "anthropic",
            H.request {
                $0.responseFormat = .jsonObject; $0.thinking = .budget(2048)
            },
            model: "claude-sonnet-4-5")
        #expect(withThinking?.param == "response_format" && withThinking?.provider == "anthropic")
        let arrayRoot = H.refusal(
            "anthropic",
            H.request {
                $0.responseFormat = .jsonSchema(JSONSchemaFormat(name: "list", schema: ["type": "array"]))
            }, model: old)
        #expect(arrayRoot?.param == "response_format.json_schema.schema")
        // Natively, tools and thinking combine.
        #expect(
            H.refusal(
                "anthropic",
                H.withTool {
                    $0.responseFormat = Self.jsonSchema; $0.thinking = .budget(2048)
                },
                model: "claude-haiku-4-5-20251001") == nil)
    }

    @Test(arguments: [
        ("claude-sonnet-4-5", true), ("claude-sonnet-4-5-20250929", true), ("claude-opus-4-6", true),
        ("claude-haiku-4-5-20251001", true), ("claude-opus-5", true), ("claude-sonnet-4-20250514", false),
        ("claude-opus-4-1", false), ("claude-3-7-sonnet-20250219", false), ("claude-3-5-haiku-latest", false),
        ("text+chunks=3", false), ("claude-sonnet", false),
    ])
    func nativeStructuredOutputsByModel(model: String, native: Bool) {
        #expect(AnthropicStructuredOutput.supportsNative(model: model) == native)
    }

    @Test func seedIsMappedOrRefused() throws {
        #expect(try H.body("openai", H.request { $0.seed = 42 })["seed"] == 42)
        #expect(try H.body("gemini", H.request { $0.seed = 42 })["generationConfig"]?["seed"] == 42)
        let anthropic = H.refusal("anthropic", H.request { $0.seed = 42 })
        #expect(anthropic?.param == "seed" && anthropic?.provider == "anthropic" && anthropic?.status == 400)
        let wide = H.refusal("gemini", H.request { $0.seed = 1 << 40 })
        #expect(wide?.param == "seed" && wide?.provider == "gemini")
    }

    @Test func parallelToolCallsAreMappedOrRefused() throws {
        #expect(try H.body("openai", H.withTool { $0.parallelToolCalls = false })["parallel_tool_calls"] == false)
        #expect(try H.body("openai", H.request { $0.parallelToolCalls = false })["parallel_tool_calls"] == nil)
        #expect(
            try H.body("anthropic", H.withTool { $0.parallelToolCalls = false })["tool_choice"]
                == ["type": "auto", "disable_parallel_tool_use": true])
        #expect(
            try H.body(
                "anthropic",
                H.withTool {
                    $0.parallelToolCalls = false; $0.toolChoice = .required
                })["tool_choice"]
                == ["type": "any", "disable_parallel_tool_use": true])
        #expect(try H.body("anthropic", H.withTool { $0.parallelToolCalls = true })["tool_choice"] == nil)
        let gemini = H.refusal("gemini", H.withTool { $0.parallelToolCalls = false })
        #expect(gemini?.param == "parallel_tool_calls" && gemini?.provider == "gemini")
        #expect(H.refusal("gemini", H.withTool { $0.parallelToolCalls = true }) == nil)
    }

    @Test func logprobsAreMappedOrRefused() throws {
        let asked = H.request {
            $0.logprobs = true; $0.topLogprobs = 3
        }
        let openai = try H.body("openai", asked)
        #expect(openai["logprobs"] == true && openai["top_logprobs"] == 3)
        let gemini = try H.body("gemini", asked)["generationConfig"]
        #expect(gemini?["responseLogprobs"] == true && gemini?["logprobs"] == 3)
        let anthropic = H.refusal("anthropic", asked)
        #expect(anthropic?.param == "logprobs" && anthropic?.provider == "anthropic")
        #expect(H.refusal("anthropic", H.request { $0.logprobs = false }) == nil)
    }

    @Test func penaltiesAreMappedOrRefused() throws {
        let asked = H.request {
            $0.presencePenalty = 0.5; $0.frequencyPenalty = -1
        }
        let openai = try H.body("openai", asked)
        #expect(openai["presence_penalty"] == 0.5 && openai["frequency_penalty"] == -1)
        let gemini = try H.body("gemini", asked)["generationConfig"]
        #expect(gemini?["presencePenalty"] == 0.5 && gemini?["frequencyPenalty"] == -1)
        #expect(H.refusal("anthropic", asked)?.param == "presence_penalty")
        #expect(H.refusal("anthropic", H.request { $0.frequencyPenalty = 1 })?.param == "frequency_penalty")
        #expect(
            H.refusal(
                "anthropic",
                H.request {
                    $0.presencePenalty = 0; $0.frequencyPenalty = 0
                }) == nil)
    }

    @Test func userIsMappedOrRefused() throws {
        let asked = H.request { $0.user = "alice" }
        #expect(try H.body("openai", asked)["user"] == "alice")
        #expect(try H.body("anthropic", asked)["metadata"] == ["user_id": "alice"])
        let gemini = H.refusal("gemini", asked)
        #expect(gemini?.param == "user" && gemini?.provider == "gemini")
        // The older spelling keeps working where there is a user field.
        let legacy = H.request { $0.metadata = JSONObject([("user", "bob")]) }
        #expect(try H.body("openai", legacy)["user"] == "bob")
        #expect(try H.body("anthropic", legacy)["metadata"] == ["user_id": "bob"])
    }

    @Test func strictToolsAreMapped() throws {
        let strict = H.request { $0.tools = [Tool(name: "f", strict: true)] }
        #expect(try H.body("openai", strict)["tools"]?[0]?["function"]?["strict"] == true)
        #expect(try H.body("anthropic", strict)["tools"]?[0]?["strict"] == true)
        #expect(try H.body("gemini", strict)["toolConfig"] == ["functionCallingConfig": ["mode": "VALIDATED"]])
        var forced = strict
        forced.toolChoice = .required
        #expect(try H.body("gemini", forced)["toolConfig"] == ["functionCallingConfig": ["mode": "ANY"]])
    }

    @Test func serverToolsGoToTheirProviderOnly() throws {
        let search = ProviderTool(
            provider: "anthropic", definition: ["type": "web_search_20250305", "name": "web_search"])
        let asked = H.withTool { $0.providerTools = [search] }
        let tools = try H.body("anthropic", asked)["tools"]?.arrayValue
        #expect(tools?.count == 2 && tools?.last == search.definition)
        for provider in ["openai", "gemini"] {
            let refusal = H.refusal(provider, asked)
            #expect(refusal?.param == "tools" && refusal?.provider == provider)
        }
    }
}

@Suite("Anthropic answer tool: its input is the answer's text")
struct AnthropicAnswerToolTests {
    static let request = Harness.request {
        $0.responseFormat = .jsonSchema(JSONSchemaFormat(name: "weather", schema: Harness.schema))
    }

    @Test func streamTurnsTheToolInputIntoTextAndToolUseIntoStop() {
        let input = Harness.anthropic.stream([
            (
                "message_start",
                #"""
                {"type":"message_start","message":{"id":"msg_1",\#
                "model":"claude-3-haiku","usage":{"input_tokens":5,"output_tokens":1}}}
                """#
            ),
            (
                "content_block_start",
                #"""
                {"type":"content_block_start","index":0,"content_block":{"type":"tool_use",\#
                "id":"toolu_1","name":"weather","input":{}}}
                """#
            ),
            (
                "content_block_delta",
                #"{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}"#
            ),
            (
                "content_block_delta",
                #"""
                {"type":"content_block_delta","index":0,\#
                "delta":{"type":"input_json_delta","partial_json":"{\"city\":"}}
                """#
            ),
            (
                "content_block_delta",
                #"""
                {"type":"content_block_delta","index":0,\#
                "delta":{"type":"input_json_delta","partial_json":"\"Oslo\"}"}}
                """#
            ),
            ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
            (
                "message_delta",
                #"{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}"#
            ),
            ("message_stop", #"{"type":"message_stop"}"#),
        ])
        let decoder = Harness.anthropic.adapter.makeStreamDecoder(model: "claude-3-haiku", for: Self.request)
        let events = Harness.events(StreamDriver.unified(decoder, input))
        #expect(events.contains(.text(#"{"city":"#)) && events.contains(.text(#""Oslo"}"#)))
        #expect(
            !events.contains {
                if case .toolCallStart = $0 { return true }; if case .toolCall = $0 { return true }; return false
            })
        #expect(events.last == .done(.stop, providerFinishReason: "tool_use"))
        // Without the response_format the same stream is a tool call.
        let plain = Harness.events(
            StreamDriver.unified(
                Harness.anthropic.adapter.makeStreamDecoder(
                    model: "claude-3-haiku", for: Harness.request()), input))
        #expect(plain.last == .done(.toolCalls, providerFinishReason: "tool_use"))
    }

    @Test func wholeResponseTurnsTheToolInputIntoText() throws {
        let body = #"""
            {"id":"msg_1","model":"claude-3-haiku","content":[{"type":"tool_use","id":"toolu_1","name":"weather",\#
            "input":{"city":"Oslo"}}],"stop_reason":"tool_use","usage":{"input_tokens":5,"output_tokens":9}}
            """#
        let response = try Harness.anthropic.adapter.decodeResponse(
            body: Array(body.utf8), model: "claude-3-haiku", for: Self.request)
        #expect(response.content == [.text(TextPart(text: #"{"city":"Oslo"}"#))])
        #expect(response.finishReason == .stop)
    }
}
