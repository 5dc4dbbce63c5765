import ChatModel
import Testing
@testable import Providers

@Suite("Azure OpenAI adapter and the OpenAI compat block")
struct AzureOpenAIAdapterTests {
    static let request = ChatRequest(model: "m", messages: [.text(.user, "hi")], maxTokens: 9)

    @Test func compatShapesTheBodyAndHeaders() throws {
        let endpoint = ProviderEndpoint(baseURL: "http://h", apiKey: "")
        let compat = OpenAICompat(streamOptions: false, maxTokensField: .maxTokens, requiresKey: false)
        let keyless = OpenAIAdapter(name: "ollama", compat: compat)
        let upstream = try keyless.upstreamRequest(for: Self.request, model: "qwen3", endpoint: endpoint, stream: true)
        let body = String(decoding: upstream.body, as: UTF8.self)
        #expect(body.contains(#""max_tokens":9"#))
        #expect(!body.contains("max_completion_tokens"))
        #expect(!body.contains("stream_options"))
        #expect(upstream.headers["authorization"] == nil)
        let openAI = try OpenAIAdapter().upstreamRequest(
            for: Self.request, model: "gpt", endpoint: endpoint, stream: true)
        #expect(openAI.headers["authorization"] == "Bearer ")
        #expect(String(decoding: openAI.body, as: UTF8.self).contains("stream_options"))
    }

    @Test func azureErrorBodiesAndContentFilter() {
        let adapter = AzureOpenAIAdapter(name: "azure")
        let filtered = Array(
            #"""
            {"error":{"message":"The response was filtered","type":null,"param":"prompt","code":"content_filter",
             "status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{
             "hate":{"filtered":false,"severity":"safe"},"violence":{"filtered":true,"severity":"medium"}}}}}
            """#.utf8)
        let failure = adapter.mapError(status: 400, headers: [], body: filtered)
        #expect(failure.error.status == 400)
        #expect(failure.error.type == .invalidRequest)
        #expect(failure.error.message.hasSuffix("(content filter: violence (medium))"))
        #expect(failure.error.provider == "azure")
        #expect(!failure.retryable)
        let missing = Array(
            #"""
            {"error":{"code":"DeploymentNotFound","message":"The API deployment for this resource does not exist."}}
            """#.utf8)
        let notFound = adapter.mapError(status: 404, headers: [], body: missing)
        #expect(notFound.error.status == 404)
        #expect(notFound.error.message.contains("deployment for this resource does not exist"))
    }
}
