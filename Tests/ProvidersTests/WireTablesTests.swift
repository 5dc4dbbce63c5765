import ChatModel
import JSON
import Testing
@testable import Providers

/// Each provider mapping that both the adapter and the door use is one table read both ways:
/// what the door writes, the adapter reads back as the same unified value.
@Suite("Wire tables: one mapping, both directions")
struct WireTablesTests {
    static let reasons: [FinishReason] = [.stop, .length, .toolCalls, .contentFilter]
    static let usage = Usage(
        inputTokens: 100, outputTokens: 40, cacheReadTokens: 30, cacheWriteTokens: 20,
        reasoningTokens: 7)

    @Test func openAIFinishReasonsRoundTrip() {
        for reason in Self.reasons { #expect(OpenAIFinishReason.unified(OpenAIFinishReason.wire(reason)) == reason) }
        #expect(OpenAIFinishReason.wire(.error) == "stop" && OpenAIFinishReason.wire(.cancelled) == "stop")
        #expect(OpenAIFinishReason.unified("function_call") == .toolCalls)
        #expect(OpenAIFinishReason.unified("something_new") == .stop)
    }

    @Test func anthropicStopReasonsRoundTrip() {
        for reason in Self.reasons {
            #expect(AnthropicStopReason.unified(AnthropicStopReason.wire(reason, providerWord: nil)) == reason)
        }
        // Every word Anthropic sends reads as its reason, and the ones that keep their name come back as sent.
        for entry in AnthropicStopReason.words {
            let written = AnthropicStopReason.wire(AnthropicStopReason.unified(entry.word), providerWord: entry.word)
            #expect(written == (entry.keepsName ? entry.word : "max_tokens"), "\(entry.word)")
        }
        #expect(AnthropicStopReason.wire(.error, providerWord: nil) == "end_turn")
        #expect(AnthropicStopReason.wire(.stop, providerWord: "tool_use") == "end_turn")  // the answer tool's stop
    }

    @Test func openAIUsageRoundTrips() {
        // OpenAI has no cache-write count: it is the one field that cannot come back.
        var expected = Self.usage
        expected.cacheWriteTokens = 0
        #expect(OpenAIUsage.unified(OpenAIUsage.wire(Self.usage)) == expected)
        #expect(
            OpenAIUsage.unified(["prompt_tokens": 5, "completion_tokens": 2])
                == Usage(inputTokens: 5, outputTokens: 2))
    }

    @Test func anthropicUsageRoundTrips() {
        // Anthropic has no reasoning count; its input excludes the cache reads and writes.
        var expected = Self.usage
        expected.reasoningTokens = 0
        let wire = AnthropicUsage(Self.usage).wire
        #expect(wire["input_tokens"] == 50)
        #expect(AnthropicUsage.unified(wire) == expected)
    }

    @Test func anthropicUsageTakesTheLatestOfEachCount() {
        var counts = AnthropicUsage()
        counts.take(["input_tokens": 10, "cache_read_input_tokens": 4, "output_tokens": 1])
        counts.take(["output_tokens": 9])  // message_delta: cumulative, replaces
        #expect(counts.unified == Usage(inputTokens: 14, outputTokens: 9, cacheReadTokens: 4))
    }

    /// `take` is unrolled from the table: each of the table's keys lands in its own count, and only there.
    @Test func anthropicUsageTakesEachKeyOfTheTable() {
        for (position, field) in AnthropicUsage.fields.enumerated() {
            var counts = AnthropicUsage()
            counts.take(.object(JSONObject([(field.key, .int(position + 7))])))
            for other in AnthropicUsage.fields {
                #expect(counts[keyPath: other.count] == (other.key == field.key ? position + 7 : 0), "\(field.key)")
            }
        }
        var counts = AnthropicUsage()
        counts.take(["cache_creation": ["ephemeral_1h_input_tokens": 3], "input_tokens": "5"])
        #expect(counts.cacheWrite1h == 3 && counts.input == 0)
        counts.take(.array([1]))  // not an object: nothing taken
        var expected = AnthropicUsage()
        expected.cacheWrite1h = 3
        #expect(counts == expected)
    }

    @Test func openAIToolChoiceRoundTrips() throws {
        for choice in [ToolChoice.auto, .none, .required, .tool("f")] {
            #expect(try OpenAIToolChoice.unified(OpenAIToolChoice.wire(choice)) == choice)
        }
    }

    @Test func openAIReasoningEffortRoundTrips() {
        for effort in [ThinkingEffort.low, .medium, .high] {
            let word = OpenAIReasoningEffort.wire(.effort(effort))
            #expect(word == effort.rawValue)
            #expect(OpenAIReasoningEffort.unified(word)?.thinking == .effort(effort))
            #expect(OpenAIReasoningEffort.unified(word)?.sentAsIs == false)
        }
        #expect(OpenAIReasoningEffort.wire(.budget(4096)) == "medium")
        #expect(
            OpenAIReasoningEffort.unified("xhigh").map { [$0.thinking == .effort(.high), $0.sentAsIs] }
                == [true, true])
        #expect(OpenAIReasoningEffort.unified("none").map { [$0.thinking == nil, $0.sentAsIs] } == [true, true])
        #expect(OpenAIReasoningEffort.unified("extreme") == nil)
    }

    /// `OpenAIUsage`'s two functions are unrolled for speed: each field of its table lands at its
    /// path when written and is read back from there.
    @Test func openAIUsageFunctionsFollowTheirTable() {
        for (index, field) in OpenAIUsage.fields.enumerated() {
            let value = 1_000 + index
            var usage = Usage.zero
            usage[keyPath: field.count] = value
            var written: JSONValue? = OpenAIUsage.wire(usage)
            for key in field.path { written = written?[key] }
            #expect(written?.intValue == value, "\(field.path)")
            var object = JSONObject()
            if field.path.count == 1 {
                object[field.path[0]] = .int(value)
            } else {
                object[field.path[0]] = .object(JSONObject([(field.path[1], .int(value))]))
            }
            #expect(OpenAIUsage.unified(.object(object))[keyPath: field.count] == value, "\(field.path)")
        }
    }
}
