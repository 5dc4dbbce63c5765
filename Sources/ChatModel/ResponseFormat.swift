import JSON

/// Structured output: what shape the answer's text must have (OpenAI's `response_format`).
/// Each provider maps it its own way (OpenAI's `response_format`; Gemini's
/// `responseMimeType` + `responseJsonSchema`; Anthropic's structured outputs or a forced tool).
public enum ResponseFormat: Sendable, Equatable {
    /// Plain text (the default; sent explicitly only by clients that say so).
    case text
    /// Any JSON object.
    case jsonObject
    /// JSON valid against a schema.
    case jsonSchema(JSONSchemaFormat)
}

/// A named JSON Schema the answer must follow.
public struct JSONSchemaFormat: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var schema: JSONValue
    /// OpenAI's strict mode (the schema is enforced, not only suggested); nil = not said.
    public var strict: Bool?

    public init(name: String, description: String? = nil, schema: JSONValue, strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.schema = schema
        self.strict = strict
    }
}
