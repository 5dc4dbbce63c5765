import JSON
import Testing
@testable import ChatModel

@Suite("Unified request: generation options, server-tool parts, provider tools")
struct ChatRequestOptionsTests {
    static let head = #"{"model":"m","messages":[{"role":"user","content":"hi"}]"#

    func decode(_ rest: String) throws -> ChatRequest {
        try ChatRequest.decode(try JSONValue.parse(Self.head + rest + "}"))
    }

    @Test func optionsDecodeAndRoundTrip() throws {
        let r = try decode(
            #","response_format":{"type":"json_schema","json_schema":{"name":"w","description":"d","#
                + #""schema":{"type":"object"},"strict":true}},"seed":-7,"parallel_tool_calls":false,"#
                + #""logprobs":true,"top_logprobs":20,"presence_penalty":-2,"frequency_penalty":1.5,"user":"alice""#)
        #expect(
            r.responseFormat
                == .jsonSchema(JSONSchemaFormat(name: "w", description: "d", schema: ["type": "object"], strict: true)))
        #expect(r.seed == -7 && r.parallelToolCalls == false && r.logprobs == true && r.topLogprobs == 20)
        #expect(r.presencePenalty == -2 && r.frequencyPenalty == 1.5 && r.user == "alice")
        #expect(try ChatRequest.decode(r.json()) == r)
        #expect(try decode(#","response_format":{"type":"json_object"}"#).responseFormat == .jsonObject)
        #expect(try decode(#","response_format":{"type":"text"}"#).responseFormat == .text)
        #expect(try decode(#","response_format":null,"seed":null"#).responseFormat == nil)
    }

    @Test(arguments: [
        (#","response_format":"json""#, "response_format"),
        (#","response_format":{"type":"xml"}"#, "response_format.type"),
        (#","response_format":{"type":"json_object","json_schema":{}}"#, "response_format.json_schema"),
        (#","response_format":{"type":"json_schema"}"#, "response_format.json_schema"),
        (#","response_format":{"type":"json_schema","json_schema":{"schema":{}}}"#, "response_format.json_schema.name"),
        (
            #","response_format":{"type":"json_schema","json_schema":{"name":"a b","schema":{}}}"#,
            "response_format.json_schema.name"
        ),
        (
            #","response_format":{"type":"json_schema","json_schema":{"name":"a"}}"#,
            "response_format.json_schema.schema"
        ),
        (
            #","response_format":{"type":"json_schema","json_schema":{"name":"a","schema":[]}}"#,
            "response_format.json_schema.schema"
        ),
        (
            #","response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{},"strict":"yes"}}"#,
            "response_format.json_schema.strict"
        ),
        (
            #","response_format":{"type":"json_schema","json_schema":{"name":"a","schema":{},"extra":1}}"#,
            "response_format.json_schema.extra"
        ),
        (#","seed":1.5"#, "seed"),
        (#","seed":"1""#, "seed"),
        (#","parallel_tool_calls":1"#, "parallel_tool_calls"),
        (#","logprobs":"yes""#, "logprobs"),
        (#","logprobs":true,"top_logprobs":21"#, "top_logprobs"),
        (#","top_logprobs":2"#, "top_logprobs"),
        (#","presence_penalty":2.5"#, "presence_penalty"),
        (#","frequency_penalty":-3"#, "frequency_penalty"),
        (#","user":5"#, "user"),
        (#","tools":[{"type":"function","name":"f"}]"#, "tools[0].type"),
        (#","tools":[{"type":"server_tool","provider":"cohere","definition":{"type":"x"}}]"#, "tools[0].provider"),
        (#","tools":[{"type":"server_tool","provider":"anthropic","definition":{}}]"#, "tools[0].definition.type"),
        (#","tools":[{"name":"f","strict":"no"}]"#, "tools[0].strict"),
    ])
    func refusesWithTheFieldPath(rest: String, param: String) throws {
        do {
            _ = try decode(rest)
            Issue.record("accepted \(rest)")
        } catch let error as GatewayError {
            #expect(error.status == 400)
            #expect(error.param == param, "\(error.message)")
        }
    }

    @Test func serverToolPartsAreAssistantOnlyAndKeptAsTheyCame() throws {
        let block =
            #"{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{"query":"oslo"},"n":1.50}"#
        let text = #"""
            {"model":"m","messages":[{"role":"user","content":"hi"},{"role":"assistant",\#
            "content":[{"type":"server_tool","provider":"anthropic","block":
            """#
            + block + "}]}]}"
        let r = try ChatRequest.decode(try JSONValue.parse(text))
        guard case .serverTool(let part) = r.messages[1].content[0] else {
            Issue.record("no server tool part")
            return
        }
        #expect(part.provider == "anthropic" && part.name == "web_search")
        #expect(part.block.serialized() == block)  // byte-exact, number literal included
        #expect(try ChatRequest.decode(r.json()) == r)
        let inUser = #"""
            {"model":"m","messages":[{"role":"user","content":[{"type":"server_tool",\#
            "provider":"anthropic","block":{"type":"x"}}]}]}
            """#
        #expect(throws: GatewayError.self) { try ChatRequest.decode(try JSONValue.parse(inUser)) }
    }

    @Test func providerToolsAndStrictToolsDecodeAndRoundTrip() throws {
        let r = try decode(
            #","tools":[{"name":"f","strict":true},{"type":"server_tool","provider":"anthropic","#
                + #""definition":{"type":"web_search_20250305","name":"web_search","max_uses":3}}]"#)
        #expect(r.tools == [Tool(name: "f", strict: true)])
        #expect(
            r.providerTools == [
                ProviderTool(
                    provider: "anthropic",
                    definition: ["type": "web_search_20250305", "name": "web_search", "max_uses": 3])
            ])
        #expect(try ChatRequest.decode(r.json()) == r)
    }
}
