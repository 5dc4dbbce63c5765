import ChatModel
import JSON

/// A Chat Completions request (as OpenAI's SDKs send it) → the unified request, field by
/// field: mapped, passed through to OpenAI only (advisory fields that cannot change the
/// answer), or refused with a 400 naming the client's field. See README "Field mapping".
enum OpenAIRequestTranslator {
    /// Advisory fields only OpenAI has: they go to OpenAI as sent and mean nothing elsewhere
    /// (storage, billing tier, cache routing), so other providers answer the same without them.
    static let openAIOnly: [String] = [
        "store", "metadata", "service_tier", "prompt_cache_key",
        "prompt_cache_retention",
    ]
    static let mapped: Set<String> = [
        "model", "messages", "tools", "tool_choice", "parallel_tool_calls", "response_format", "seed", "logprobs",
        "top_logprobs", "stop", "presence_penalty", "frequency_penalty", "max_tokens", "max_completion_tokens", "n",
        "stream", "stream_options", "temperature", "top_p", "user", "safety_identifier", "reasoning_effort",
        "modalities",
    ]
    /// Known fields with no unified equivalent: refused when they ask for anything.
    static let refusedFields: [(key: String, neutral: [JSONValue], why: String)] = [
        ("logit_bias", [[:]], "token biases have no equivalent at every provider"),
        ("audio", [], "audio output is not supported"),
        ("prediction", [], "predicted outputs are not supported"),
        (
            "web_search_options", [],
            "web search is not supported on this door (Anthropic's server tools are, on /v1/messages)"
        ),
        ("verbosity", [], "verbosity has no equivalent at every provider"),
        ("functions", [[]], "deprecated; use tools"),
        ("function_call", [], "deprecated; use tool_choice"),
    ]

    /// The values of `n` and `modalities` that ask for nothing (kept here: as literals at the
    /// call they were built per request).
    static let neutralN: [JSONValue] = [1]
    static let neutralModalities: [JSONValue] = [["text"]]

    /// Every top-level field this door knows, built once (per request the unions cost ~17k instructions).
    static let known = mapped.union(openAIOnly).union(refusedFields.map(\.key))

    /// The fields that are only refused or passed through, which most requests do not send:
    /// one scan of the body's few keys tells whether any is there, instead of a lookup each.
    static let rareFields: [String] = refusedFields.map(\.key) + ["n", "modalities"] + openAIOnly

    static func translate(_ json: JSONValue) throws(GatewayError) -> (request: ChatRequest, includeUsage: Bool) {
        guard case .object(let body) = json else { throw .invalidRequest("body: expected a JSON object") }
        let members = OpenAIRequestMembers.read(body)
        // Names the first unknown field in the body's order.
        if members.sendsUnknownFields { try DoorFields.rejectUnknown(body, allowed: known, at: "") }
        let sendsRareFields = members.sendsUnmappedFields
        if sendsRareFields {
            for field in refusedFields {
                try DoorFields.refuseUnlessNeutral(body, field.key, at: "", neutral: field.neutral, why: field.why)
            }
            try DoorFields.refuseUnlessNeutral(body, "n", at: "", neutral: neutralN, why: "only n=1 is supported")
            try DoorFields.refuseUnlessNeutral(
                body, "modalities", at: "", neutral: neutralModalities,
                why: "only text output is supported")
        }

        let model = try FieldReader.string(members[.model], at: "model", required: true)!
        guard !model.isEmpty else { throw .invalidRequest("model: must not be empty", param: "model") }
        guard let rawMessages = members[.messages], !rawMessages.isNull else {
            throw .invalidRequest("messages: required", param: "messages")
        }
        let messageArray = try FieldReader.array(rawMessages, at: "messages")
        guard !messageArray.isEmpty else { throw .invalidRequest("messages: must not be empty", param: "messages") }
        var messages: [Message] = []
        messages.reserveCapacity(messageArray.count)
        for (i, raw) in messageArray.enumerated() {
            messages.append(try OpenAIMessageTranslator.message(raw, at: "messages[\(i)]"))
        }
        var request = ChatRequest(model: model, messages: messages, tools: try tools(members[.tools]), stream: false)
        request.toolChoice = try OpenAIToolChoice.unified(members[.toolChoice])
        try DoorFields.checkToolChoice(request, at: "tool_choice")
        request.parallelToolCalls = try DoorFields.bool(members[.parallelToolCalls], at: "parallel_tool_calls")
        request.responseFormat = try ChatRequest.decodeResponseFormat(members[.responseFormat], at: "response_format")
        if let raw = members[.seed], !raw.isNull {
            guard let seed = raw.intValue else { throw .invalidRequest("seed: expected a whole number", param: "seed") }
            request.seed = seed
        }
        request.logprobs = try DoorFields.bool(members[.logprobs], at: "logprobs")
        request.topLogprobs = try DoorFields.int(
            members[.topLogprobs], at: "top_logprobs", range: ChatRequest.topLogprobsRange)
        try ChatRequest.checkLogprobs(request, path: "top_logprobs")
        request.stop = try stop(members[.stop])
        request.presencePenalty = try FieldReader.number(
            members[.presencePenalty], at: "presence_penalty",
            range: ChatRequest.penaltyRange)
        request.frequencyPenalty = try FieldReader.number(
            members[.frequencyPenalty], at: "frequency_penalty",
            range: ChatRequest.penaltyRange)
        request.maxTokens = try maxTokens(members)
        request.temperature = try FieldReader.number(members[.temperature], at: "temperature", range: 0...2)
        request.topP = try FieldReader.number(members[.topP], at: "top_p", range: 0...1)
        // OpenAI's default is one JSON answer.
        request.stream = try DoorFields.bool(members[.stream], at: "stream") ?? false
        let includeUsage = try streamOptions(members[.streamOptions])
        request.user = try user(members)
        try reasoningEffort(members[.reasoningEffort], into: &request)
        // In the list's order: the body OpenAI gets is the same for the same request.
        for key in openAIOnly where sendsRareFields {
            if let value = body[key], !value.isNull {
                request.providerOptions["openai", default: JSONObject()][key] = value
            }
        }
        try ChatRequest.checkCacheBreakpoints(request, param: "cache_control")
        return (request, includeUsage)
    }

    private static func tools(_ raw: JSONValue?) throws(GatewayError) -> [Tool] {
        guard let raw, !raw.isNull else { return [] }
        var tools: [Tool] = []
        for (i, item) in try FieldReader.array(raw, at: "tools").enumerated() {
            let path = "tools[\(i)]"
            let object = try FieldReader.object(item, at: path)
            let type = try DoorFields.string(object, "type", at: path, required: true)!
            guard type == "function" else {
                throw DoorFields.refused("\(path).type", "only function tools are supported (got \(type))")
            }
            try DoorFields.rejectUnknown(object, allowed: ["type", "function", "cache_control"], at: path)
            guard let rawFunction = object["function"] else {
                throw .invalidRequest("\(path).function: required", param: "\(path).function")
            }
            let function = try FieldReader.object(rawFunction, at: "\(path).function")
            let at = "\(path).function"
            try DoorFields.rejectUnknown(function, allowed: ["name", "description", "parameters", "strict"], at: at)
            let name = try DoorFields.string(function, "name", at: at, required: true)!
            try DoorFields.checkToolName(name, existing: tools, at: "\(at).name")
            var tool = Tool(name: name, description: try DoorFields.string(function, "description", at: at))
            if let parameters = function["parameters"], !parameters.isNull {
                tool.parameters = .object(try FieldReader.object(parameters, at: "\(at).parameters"))
            }
            tool.strict = try DoorFields.bool(function, "strict", at: at)
            tool.cache = try DoorFields.cacheControl(object["cache_control"], at: "\(path).cache_control")
            tools.append(tool)
        }
        return tools
    }

    private static func stop(_ raw: JSONValue?) throws(GatewayError) -> [String] {
        switch raw {
        case nil, .null?: return []
        case .string(let s)?: return [s]
        case .array(let items)?:
            guard items.count <= DoorFields.maxStops else {
                throw .invalidRequest("stop: at most \(DoorFields.maxStops) sequences", param: "stop")
            }
            var out: [String] = []
            for (i, item) in items.enumerated() {
                out.append(try FieldReader.string(item, at: "stop[\(i)]", required: true)!)
            }
            return out
        case let other?:
            throw .invalidRequest(
                "stop: expected a string or an array of strings, got \(other.kindName)",
                param: "stop")
        }
    }

    /// `max_completion_tokens`, or the older `max_tokens`; both only when they agree.
    private static func maxTokens(_ members: OpenAIRequestMembers.Body) throws(GatewayError) -> Int? {
        let completion = try DoorFields.int(
            members[.maxCompletionTokens], at: "max_completion_tokens", range: DoorFields.maxTokensRange)
        let older = try DoorFields.int(members[.maxTokens], at: "max_tokens", range: DoorFields.maxTokensRange)
        if let completion, let older, completion != older {
            throw .invalidRequest(
                "max_tokens: differs from max_completion_tokens; send one of them",
                param: "max_tokens")
        }
        return completion ?? older
    }

    private static func streamOptions(_ raw: JSONValue?) throws(GatewayError) -> Bool {
        guard let raw, !raw.isNull else { return false }
        let options = try FieldReader.object(raw, at: "stream_options")
        // include_obfuscation asks OpenAI to pad chunks; the gateway writes its own chunks, unpadded.
        try DoorFields.rejectUnknown(options, allowed: ["include_usage", "include_obfuscation"], at: "stream_options")
        _ = try DoorFields.bool(options, "include_obfuscation", at: "stream_options")
        return try DoorFields.bool(options, "include_usage", at: "stream_options") ?? false
    }

    /// `user`, or OpenAI's newer `safety_identifier` for the same purpose.
    private static func user(_ members: OpenAIRequestMembers.Body) throws(GatewayError) -> String? {
        let user = try FieldReader.string(members[.user], at: "user", required: false)
        let safety = try FieldReader.string(members[.safetyIdentifier], at: "safety_identifier", required: false)
        if let user, let safety, user != safety {
            throw .invalidRequest("safety_identifier: differs from user; send one of them", param: "safety_identifier")
        }
        return user ?? safety
    }

    /// Effort → unified thinking effort (`OpenAIReasoningEffort`: `minimal` → low, `xhigh` →
    /// high, `none` → thinking off); OpenAI itself gets the value as sent.
    private static func reasoningEffort(_ raw: JSONValue?, into request: inout ChatRequest) throws(GatewayError) {
        guard let effort = try FieldReader.string(raw, at: "reasoning_effort", required: false) else { return }
        guard let read = OpenAIReasoningEffort.unified(effort) else {
            throw .invalidRequest(
                "reasoning_effort: expected none, minimal, low, medium, high or xhigh",
                param: "reasoning_effort")
        }
        request.thinking = read.thinking
        if read.sentAsIs {
            request.providerOptions["openai", default: JSONObject()]["reasoning_effort"] = .string(effort)
        }
    }
}
