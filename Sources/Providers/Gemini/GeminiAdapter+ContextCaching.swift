import ChatModel

extension GeminiCachePlan: ContextCachePlan {}

/// Gemini's explicit context caching (`GeminiCachePlan`) as the adapter's capability.
extension GeminiAdapter: ContextCaching {
    public func contextCachePlan(
        for request: ChatRequest,
        model: String
    ) throws(GatewayError) -> (any ContextCachePlan)? {
        try GeminiCachePlan.plan(request, model: model)
    }

    public func createdContextCache(_ body: [UInt8]) -> (name: String, expiresMillis: Int64)? {
        GeminiCachePlan.created(body)
    }
}
