import JSON

/// `generateContent`'s checks of `generationConfig` and `toolConfig` (unknown fields, the
/// structured-output pairing of `responseMimeType` with a schema, the function-calling
/// mode), worded as Gemini words them, and the schema the answer must follow.
extension GeminiDialect {
    /// GenerationConfig's fields, in the JSON (camelCase) and proto (snake_case) spellings
    /// Gemini's REST API accepts.
    static let generationFields: Set<String> = {
        let camel = [
            "stopSequences", "responseMimeType", "responseSchema", "responseJsonSchema", "_responseJsonSchema",
            "responseModalities", "candidateCount", "maxOutputTokens", "temperature", "topP", "topK", "seed",
            "presencePenalty", "frequencyPenalty", "responseLogprobs", "logprobs",
            "enableEnhancedCivicAnswers", "speechConfig", "thinkingConfig", "imageConfig", "mediaResolution",
        ]
        return Set(camel + camel.map(snakeCase))
    }()

    static func snakeCase(_ name: String) -> String {
        var out = ""
        for c in name {
            if c.isUppercase { out += "_" + c.lowercased() } else { out.append(c) }
        }
        return out
    }

    func malformed(_ request: ScenarioRequest) -> Reply? {
        guard let body = request.body else { return nil }
        if let generation = body["generationConfig"] ?? body["generation_config"],
            let problem = Self.problem(generation)
        {
            return rpcStatus(400, "INVALID_ARGUMENT", problem)
        }
        let config = body["toolConfig"]?["functionCallingConfig"] ?? body["tool_config"]?["function_calling_config"]
        if let mode = config?["mode"], !["AUTO", "ANY", "NONE", "VALIDATED"].contains(mode.stringValue ?? "") {
            return rpcStatus(
                400, "INVALID_ARGUMENT",
                "Invalid value at 'tool_config.function_calling_config.mode' "
                    + "(type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), "
                    + "\(mode.serialized())")
        }
        return nil
    }

    func answerSchema(_ request: ScenarioRequest) -> JSONValue? {
        guard let generation = request.body?["generationConfig"] ?? request.body?["generation_config"],
            Self.field(generation, "responseMimeType")?.stringValue == "application/json"
        else { return nil }
        let schema = Self.field(generation, "responseJsonSchema") ?? Self.field(generation, "responseSchema")
        return schema ?? AnswerSchema.anyObject
    }

    private static func field(_ object: JSONValue, _ camel: String) -> JSONValue? {
        object[camel] ?? object[snakeCase(camel)]
    }

    private static func problem(_ generation: JSONValue) -> String? {
        guard case .object(let o) = generation else {
            return "Invalid value at 'generation_config' (type.googleapis.com/google.ai.generativelanguage.v1beta"
                + ".GenerationConfig), \(generation.serialized())"
        }
        for key in o.keys where !generationFields.contains(key) {
            return "Invalid JSON payload received. Unknown name \"\(key)\" at 'generation_config': Cannot find field."
        }
        let mime = field(generation, "responseMimeType")
        if let mime, !["text/plain", "application/json", "text/x.enum"].contains(mime.stringValue ?? "") {
            return "* GenerateContentRequest.generation_config.response_mime_type: allowed mimetypes are `text/plain`, "
                + "`application/json`, and `text/x.enum`.\n"
        }
        let jsonSchema = field(generation, "responseJsonSchema"), schema = field(generation, "responseSchema")
        if jsonSchema != nil, schema != nil {
            return "* GenerateContentRequest.generation_config.response_json_schema: response_schema and "
                + "response_json_schema cannot both be set.\n"
        }
        let schemaMime = ["application/json", "text/x.enum"].contains(mime?.stringValue ?? "")
        if jsonSchema != nil || schema != nil, !schemaMime {
            return "* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be set to "
                + "`application/json` or `text/x.enum` when a response schema is set.\n"
        }
        if let s = jsonSchema ?? schema, s.objectValue == nil {
            return "Invalid value at 'generation_config.response_json_schema', \(s.serialized())"
        }
        if let seed = field(generation, "seed"), seed.intValue.flatMap({ Int32(exactly: $0) }) == nil {
            return "Invalid value at 'generation_config.seed' (TYPE_INT32), \(seed.serialized())"
        }
        if field(generation, "logprobs") != nil, field(generation, "responseLogprobs")?.boolValue != true {
            return "* GenerateContentRequest.generation_config.logprobs: logprobs is only supported when "
                + "response_logprobs is true.\n"
        }
        for name in ["presencePenalty", "frequencyPenalty", "temperature", "topP"] {
            if let value = field(generation, name), value.doubleValue == nil {
                return "Invalid value at 'generation_config.\(snakeCase(name))' (TYPE_FLOAT), \(value.serialized())"
            }
        }
        return nil
    }
}
