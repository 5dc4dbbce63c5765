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
        metrics.recordChat(
            ChatRecord(
                requestId: "req_x", requestedModel: "a", provider: "openai", model: "m", status: 200, usage: usage,
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
        metrics.recordCost(nil, provider: nil, model: nil, keyId: nil)  // refused before any provider: nothing
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        #expect(text.contains("switchboard_cost_usd_total{provider=\"openai\",model=\"gpt-4o\",key=\"key_1\"} 0.75\n"))
        #expect(text.contains("switchboard_cost_usd_total{provider=\"anthropic\",model=\"m\",key=\"\"} 1.0\n"))
        #expect(text.contains("switchboard_unpriced_requests_total{provider=\"gemini\",model=\"unknown\"} 1\n"))
        #expect(text.components(separatedBy: "switchboard_unpriced_requests_total{").count == 2)
    }
}

/// Issue 18: per-request chat histograms, bounded in their label sets.
@Suite("Chat histograms")
struct ChatHistogramTests {
    private func record(
        model: String, status: Int = 200, firstToken: UInt64? = 200_000_000,
        total: UInt64 = 1_200_000_000, output: Int = 100, attempts: Int = 2
    ) -> ChatRecord {
        var usage = Usage.zero
        usage.outputTokens = output
        return ChatRecord(
            requestId: "r", requestedModel: "alias", provider: "openai", model: model, status: status,
            usage: usage, finishReason: .stop, attempts: attempts, fallbackUsed: nil,
            firstTokenNanos: firstToken, totalNanos: total)
    }

    @Test func timeToFirstTokenDurationRateAndAttemptsAreObserved() {
        let metrics = MetricsRegistry()
        metrics.recordChat(record(model: "gpt-x"))
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        let labels = #"provider="openai",model="gpt-x",alias="alias",door="chat",status_class="2xx""#
        // 0.2 s to the first token: in the 0.25 bucket, not the 0.1 one.
        #expect(text.contains("switchboard_chat_time_to_first_token_seconds_bucket{\(labels),le=\"0.1\"} 0\n"))
        #expect(text.contains("switchboard_chat_time_to_first_token_seconds_bucket{\(labels),le=\"0.25\"} 1\n"))
        #expect(text.contains("switchboard_chat_duration_seconds_sum{\(labels)} 1.2\n"))
        // 100 tokens in the 1.0 s after the first: 100 tokens/s.
        #expect(text.contains("switchboard_chat_output_tokens_per_second_bucket{\(labels),le=\"50.0\"} 0\n"))
        #expect(text.contains("switchboard_chat_output_tokens_per_second_bucket{\(labels),le=\"100.0\"} 1\n"))
        #expect(text.contains("switchboard_chat_upstream_attempts_bucket{\(labels),le=\"1.0\"} 0\n"))
        #expect(text.contains("switchboard_chat_upstream_attempts_bucket{\(labels),le=\"2.0\"} 1\n"))
    }

    /// Buckets are stored by range and summed when rendered: the text must still be cumulative.
    @Test func bucketsAreCumulativeAndUnobservedFamiliesHaveNoSeries() {
        let metrics = MetricsRegistry()
        metrics.recordChat(record(model: "m", firstToken: nil, total: 30_000_000))
        metrics.recordChat(record(model: "m", firstToken: nil, total: 2_000_000_000))
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        let bucket =
            #"switchboard_chat_duration_seconds_bucket{provider="openai",model="m",alias="alias",door="chat","#
            + #"status_class="2xx",le="#
        #expect(text.contains(bucket + #""0.025"} 0"#))
        #expect(text.contains(bucket + #""0.05"} 1"#))
        #expect(text.contains(bucket + #""2.5"} 2"#))
        #expect(text.contains(bucket + #""300.0"} 2"#))
        #expect(text.contains(bucket + #""+Inf"} 2"#))
        #expect(!text.contains(#"switchboard_chat_time_to_first_token_seconds_bucket{provider="openai",model="m""#))
        #expect(!text.contains(#"switchboard_chat_output_tokens_per_second_bucket{provider="openai",model="m""#))
    }

    @Test func labelSetsAreBoundedAndTheRestCountsAsOther() {
        let metrics = MetricsRegistry()
        for i in 0..<(ChatHistograms.maxSeries + 50) { metrics.recordChat(record(model: "client-named-\(i)")) }
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        let series = text.split(separator: "\n").filter { $0.hasPrefix("switchboard_chat_duration_seconds_count{") }
        #expect(series.count == ChatHistograms.maxSeries + 1)
        let other = #"provider="openai",model="other",alias="other",door="chat",status_class="2xx""#
        #expect(text.contains("switchboard_chat_duration_seconds_count{\(other)} 50"))
    }

    @Test func aModelNameIsEscapedInItsLabel() {
        let metrics = MetricsRegistry()
        metrics.recordChat(record(model: "we\"ird\\name"))
        let text = metrics.render(openConnections: 0, inFlightRequests: 0)
        let series = #"switchboard_chat_duration_seconds_count{provider="openai",model="we\"ird\\name","#
        #expect(text.contains(series + #"alias="alias",door="chat",status_class="2xx"} 1"#))
    }

    @Test func aRequestThatReachedNoProviderIsNotObserved() {
        let metrics = MetricsRegistry()
        metrics.recordChat(
            ChatRecord(
                requestId: "r", requestedModel: "m", provider: nil, model: nil, status: 400,
                usage: .zero, finishReason: nil, attempts: 0, fallbackUsed: nil,
                firstTokenNanos: nil, totalNanos: 1))
        #expect(
            !metrics.render(openConnections: 0, inFlightRequests: 0).contains("switchboard_chat_duration_seconds_count")
        )
    }

    /// Issue 18: tokens by provider, model and key, beside the cost; bounded like the histograms.
    @Test func tokensAreCountedByModelAndKeyAndBounded() {
        let metrics = MetricsRegistry()
        var usage = Usage.zero
        usage.inputTokens = 10
        usage.outputTokens = 5
        metrics.recordCost(nil, usage: usage, provider: "openai", model: "gpt-x", keyId: "key_a")
        metrics.recordCost(nil, usage: usage, provider: "openai", model: "gpt-x", keyId: "key_a")
        metrics.recordCost(nil, usage: usage, provider: "openai", model: "gpt-x", keyId: nil)
        var text = metrics.render(openConnections: 0, inFlightRequests: 0)
        let series = #"switchboard_model_tokens_total{provider="openai",model="gpt-x","#
        #expect(text.contains(series + #"key="key_a",kind="input"} 20"#))
        #expect(text.contains(series + #"key="key_a",kind="output"} 10"#))
        #expect(text.contains(series + #"key="",kind="input"} 10"#))
        #expect(!text.contains(series + #"key="key_a",kind="reasoning""#))
        for i in 0..<(MetricsRegistry.maxSpendSeries + 5) {
            metrics.recordCost(nil, usage: usage, provider: "openai", model: "named-\(i)", keyId: "k")
        }
        text = metrics.render(openConnections: 0, inFlightRequests: 0)
        #expect(
            text.contains(#"switchboard_model_tokens_total{provider="openai",model="other",key="k",kind="input"} 70"#))
    }
}
