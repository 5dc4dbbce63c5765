import ChatModel
import Pricing
import Testing
@testable import Gateway

@Suite("Metrics")
struct MetricsRegistryTests {
    @Test func countsRequestsByRouteAndStatusWithAHistogram() {
        let metrics = MetricsRegistry()
        metrics.recordRequest(route: "/v1/chat", status: 200, seconds: 0.002)
        metrics.recordRequest(route: "/v1/chat", status: 200, seconds: 0.2)
        metrics.recordRequest(route: "/v1/chat", status: 404, seconds: 0.0001)
        let text = metrics.render(openConnections: 3, inFlightRequests: 1)
        #expect(text.contains("switchboard_http_requests_total{route=\"/v1/chat\",status=\"200\"} 2\n"))
        #expect(text.contains("switchboard_http_requests_total{route=\"/v1/chat\",status=\"404\"} 1\n"))
        #expect(text.contains("switchboard_http_request_duration_seconds_bucket{route=\"/v1/chat\",le=\"0.0025\"} 2\n"))
        #expect(text.contains("switchboard_http_request_duration_seconds_bucket{route=\"/v1/chat\",le=\"+Inf\"} 3\n"))
        #expect(text.contains("switchboard_http_request_duration_seconds_count{route=\"/v1/chat\"} 3\n"))
        #expect(text.contains("switchboard_open_connections 3\n"))
        #expect(text.contains("switchboard_in_flight_requests 1\n"))
    }

    @Test func countsAttemptsRetriesFallbacksAndTokens() {
        let metrics = MetricsRegistry()
        var usage = Usage.zero
        usage.inputTokens = 10
        usage.outputTokens = 4
        usage.cacheReadTokens = 6
        metrics.recordChat(ChatRecord(requestId: "req_x", requestedModel: "a", provider: "openai", model: "m", status: 200, usage: usage,
                                      finishReason: .stop, attempts: 3, fallbackUsed: "b", firstTokenNanos: nil,
                                      totalNanos: 1))
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        #expect(text.contains("switchboard_upstream_attempts_total{provider=\"openai\"} 3\n"))
        #expect(text.contains("switchboard_upstream_retries_total{provider=\"openai\"} 2\n"))
        #expect(text.contains("switchboard_fallbacks_total 1\n"))
        #expect(text.contains("switchboard_tokens_total{provider=\"openai\",kind=\"input\"} 10\n"))
        #expect(text.contains("switchboard_tokens_total{provider=\"openai\",kind=\"cache_read\"} 6\n"))
        #expect(!text.contains("kind=\"reasoning\""))
    }

    @Test func costByProviderModelAndKeyAndRequestsWithoutAPrice() {
        let metrics = MetricsRegistry()
        metrics.recordCost(Cost(usd: 0.25, entry: "table:gpt-4o"), provider: "openai", model: "gpt-4o", keyId: "key_1")
        metrics.recordCost(Cost(usd: 0.5, entry: "table:gpt-4o"), provider: "openai", model: "gpt-4o", keyId: "key_1")
        metrics.recordCost(Cost(usd: 1, entry: "config:x"), provider: "anthropic", model: "m", keyId: nil)
        metrics.recordCost(nil, provider: "gemini", model: "unknown", keyId: "key_1")
        metrics.recordCost(nil, provider: nil, model: nil, keyId: nil)   // refused before any provider: nothing
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        #expect(text.contains("switchboard_cost_usd_total{provider=\"openai\",model=\"gpt-4o\",key=\"key_1\"} 0.75\n"))
        #expect(text.contains("switchboard_cost_usd_total{provider=\"anthropic\",model=\"m\",key=\"\"} 1.0\n"))
        #expect(text.contains("switchboard_unpriced_requests_total{provider=\"gemini\",model=\"unknown\"} 1\n"))
        #expect(text.components(separatedBy: "switchboard_unpriced_requests_total{").count == 2)
    }
}
