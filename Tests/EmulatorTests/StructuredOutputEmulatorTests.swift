import JSON
import Testing
@testable import Emulator

@Suite("Emulator: minimal instances of JSON schemas")
struct SchemaInstanceTests {
    @Test func objectsHoldTheirRequiredPropertiesOnly() {
        let schema: JSONValue = [
            "type": "object", "required": ["name", "tags", "kind", "age", "ratio", "ok", "when", "nested"],
            "properties": [
                "name": ["type": "string", "minLength": 4],
                "tags": ["type": "array", "items": ["type": "string"], "minItems": 2],
                "kind": ["enum": ["b", "a"]], "age": ["type": "integer", "minimum": 18],
                "ratio": ["type": "number", "exclusiveMaximum": -1],
                "ok": ["type": "boolean"], "when": ["type": "string", "format": "date-time"],
                "optional": ["type": "string"],
                "nested": ["type": ["object", "null"], "properties": ["x": ["const": 3]], "required": ["x"]],
            ],
        ]
        #expect(
            SchemaInstance.minimal(schema) == [
                "name": "w0ww", "tags": ["w0", "w0"], "kind": "b", "age": 18, "ratio": -1.5,
                "ok": true, "when": "2025-01-01T00:00:00Z", "nested": ["x": 3],
            ])
    }

    @Test func referencesAndCombinatorsAreFollowed() {
        let schema: JSONValue = [
            "$defs": ["Step": ["type": "object", "properties": ["n": ["type": "integer"]], "required": ["n"]]],
            "type": "object", "required": ["steps", "either", "both"],
            "properties": [
                "steps": ["type": "array", "items": ["$ref": "#/$defs/Step"], "minItems": 1],
                "either": ["anyOf": [["type": "null"], ["type": "string"]]],
                "both": [
                    "allOf": [["$ref": "#/$defs/Step"], ["properties": ["m": ["type": "boolean"]], "required": ["m"]]]
                ],
            ],
        ]
        #expect(SchemaInstance.minimal(schema) == ["steps": [["n": 0]], "either": "w0", "both": ["n": 0, "m": true]])
        // Gemini's own Schema spells types in capitals.
        #expect(
            SchemaInstance.minimal(["type": "OBJECT", "properties": ["a": ["type": "INTEGER"]], "required": ["a"]]) == [
                "a": 0
            ])
        // A required cycle ends instead of recursing forever.
        let cycle: JSONValue = [
            "$defs": ["N": ["type": "object", "properties": ["next": ["$ref": "#/$defs/N"]], "required": ["next"]]],
            "$ref": "#/$defs/N",
        ]
        #expect(SchemaInstance.minimal(cycle).serialized().count > 0)
    }
}

@Suite("Emulator: structured output in each provider's shape")
struct StructuredOutputEmulatorTests {
    let harness: EmulatorHarness
    init() throws { harness = try EmulatorHarness() }

    static let schema = #"""
        {"type":"object","properties":{"city":{"type":"string"},"n":{"type":"integer",\#
        "minimum":2}},"required":["city","n"],"additionalProperties":false}
        """#
    static let instance: JSONValue = ["city": "w0", "n": 2]

    @Test func openAIAnswersSchemaValidJSONAsText() throws {
        let stream = try harness.openAI(
            "text",
            extra: #"""
                ,"response_format":{"type":"json_schema",\#
                "json_schema":{"name":"w",\#
                "strict":true,"schema":\#(Self.schema)}}
                """#)
        #expect(stream.status == 200)
        let text = stream.eventJSON.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
        #expect(try JSONValue.parse(text) == Self.instance)
        #expect(stream.eventJSON.filter { $0["choices"]?[0]?["delta"]?["content"] != nil }.count > 2)  // in chunks
        let whole = try harness.openAI(
            "text", stream: false,
            extra: #","response_format":{"type":"json_schema","json_schema":{"name":"w","schema":\#(Self.schema)}}"#)
        #expect(
            try JSONValue.parse(whole.json?["choices"]?[0]?["message"]?["content"]?.stringValue ?? "") == Self.instance)
    }

    @Test(arguments: [
        (#","response_format":{"type":"json_schema","json_schema":{"schema":{}}}"#, "response_format.json_schema.name"),
        (#","response_format":{"type":"json_schema"}"#, "response_format.json_schema"),
        (#","response_format":{"type":"xml"}"#, "response_format.type"),
        (#","response_format":{"type":"json_object"}"#, "messages"),
        (#","top_logprobs":2"#, "top_logprobs"),
        (#","parallel_tool_calls":true"#, "parallel_tool_calls"),
        (#","seed":"x""#, "seed"),
    ])
    func openAIRefusesMalformedOptions(extra: String, param: String) throws {
        let r = try harness.openAI("text", extra: extra)
        #expect(r.status == 400)
        #expect(r.json?["error"]?["param"]?.stringValue == param, "\(r.text)")
    }

    @Test func geminiAnswersTheResponseJSONSchema() throws {
        let config = #"""
            ,"generationConfig":{"responseMimeType":"application/json",\#
            "responseJsonSchema":\#(Self.schema),"seed":3}
            """#
        let r = try harness.gemini("text", extra: config)
        #expect(r.status == 200)
        let text = r.eventJSON.compactMap { $0["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.stringValue }
            .joined()
        #expect(try JSONValue.parse(text) == Self.instance)
        let object = try harness.gemini(
            "text", stream: false, extra: #","generationConfig":{"response_mime_type":"application/json"}"#)
        let answer = object.json?["candidates"]?[0]?["content"]?["parts"]?[0]?["text"]?.stringValue ?? ""
        #expect(try JSONValue.parse(answer).objectValue != nil)
    }

    @Test(arguments: [
        #","generationConfig":{"responseJsonSchema":{"type":"object"}}"#,
        #","generationConfig":{"responseMimeType":"application/xml"}"#,
        #","generationConfig":{"responseMimeType":"application/json","responseSchema":{},"responseJsonSchema":{}}"#,
        #","generationConfig":{"response_format":{"type":"json_object"}}"#,
        #","generationConfig":{"seed":4294967296}"#,
        #","generationConfig":{"logprobs":3}"#,
        #","toolConfig":{"functionCallingConfig":{"mode":"STRICT"}}"#,
    ])
    func geminiRefusesMalformedGenerationConfig(extra: String) throws {
        let r = try harness.gemini("text", extra: extra)
        #expect(r.status == 400, "\(r.text)")
        #expect(r.json?["error"]?["status"]?.stringValue == "INVALID_ARGUMENT")
    }

    @Test func anthropicAnswersNativeOutputConfigAsText() throws {
        let r = try harness.anthropic(
            "text", extra: #","output_config":{"format":{"type":"json_schema","schema":\#(Self.schema)}}"#)
        #expect(r.status == 200)
        let text = r.eventJSON.compactMap { $0["delta"]?["text"]?.stringValue }.joined()
        #expect(try JSONValue.parse(text) == Self.instance)
    }

    @Test func anthropicAnswersAForcedToolWithThatTool() throws {
        let tools = #"""
            ,"tools":[{"name":"weather","input_schema":\#(Self.schema)}],\#
            "tool_choice":{"type":"tool","name":"weather","disable_parallel_tool_use":true}
            """#
        let r = try harness.anthropic("text", extra: tools)
        #expect(r.status == 200)
        let json = r.eventJSON
        #expect(
            json.contains {
                $0["content_block"]?["type"]?.stringValue == "tool_use"
                    && $0["content_block"]?["name"]?.stringValue == "weather"
            })
        let input = json.compactMap { $0["delta"]?["partial_json"]?.stringValue }.joined()
        #expect(try JSONValue.parse(input) == Self.instance)
        #expect(json.contains { $0["delta"]?["stop_reason"]?.stringValue == "tool_use" })
        let whole = try harness.anthropic("text", stream: false, extra: tools)
        #expect(whole.json?["content"]?[0]?["input"] == Self.instance)
    }

    @Test(arguments: [
        #","output_config":{"format":{"type":"json_schema"}}"#,
        #","output_config":{"format":{"type":"json_schema","schema":{},"name":"x"}}"#,
        #","output_format":{"type":"json","schema":{}}"#,
        #","output_config":{"verbosity":"low"}"#,
        #","metadata":{"user":"x"}"#,
        #","tools":[{"name":"a","input_schema":{}}],"tool_choice":{"type":"tool","name":"b"}"#,
        #","tools":[{"name":"a","input_schema":{}}],"tool_choice":{"type":"none","disable_parallel_tool_use":true}"#,
        #"""
        ,"thinking":{"type":"enabled","budget_tokens":1024},\#
        "tools":[{"name":"a","input_schema":{}}],"tool_choice":{"type":"any"}
        """#,
    ])
    func anthropicRefusesMalformedOptions(extra: String) throws {
        let r = try harness.anthropic("text", extra: extra)
        #expect(r.status == 400, "\(r.text)")
        #expect(r.json?["error"]?["type"]?.stringValue == "invalid_request_error")
    }
}
